/**
 * GET /api/message (served by the Flask API through the Nginx web tier).
 * Resolves to { message, version, hostname }; rejects with an Error naming the HTTP status otherwise.
 */
export async function fetchMessage(fetchImpl = fetch) {
  const response = await fetchImpl('/api/message', { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`GET /api/message answered ${response.status}`);
  }
  return response.json();
}
