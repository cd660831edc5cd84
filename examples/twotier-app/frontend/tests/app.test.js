import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createMemoryHistory } from 'vue-router';
import App from '../src/App.vue';
import { fetchMessage } from '../src/api.js';
import { createAppRouter } from '../src/router.js';

function jsonResponse(status, body) {
  return { ok: status >= 200 && status < 300, status, json: async () => body };
}

async function mountAt(path) {
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [router] } });
  await flushPromises();
  return { wrapper, router };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('fetchMessage', () => {
  it('calls /api/message and returns the JSON body', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(200, { message: 'hi', version: '1', hostname: 'h' }));
    await expect(fetchMessage(fetchImpl)).resolves.toEqual({ message: 'hi', version: '1', hostname: 'h' });
    expect(fetchImpl).toHaveBeenCalledWith('/api/message', expect.anything());
  });

  it('rejects with the status when the API fails', async () => {
    await expect(fetchMessage(async () => jsonResponse(503, {}))).rejects.toThrow('answered 503');
  });
});

describe('App', () => {
  it('shows the message, version and hostname from the API on /', async () => {
    const fetchMock = vi.fn(async () =>
      jsonResponse(200, { message: 'Hello from ECS', version: 'abc123', hostname: 'ip-10-0-1-5' })
    );
    vi.stubGlobal('fetch', fetchMock);
    const { wrapper } = await mountAt('/');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(wrapper.get('[data-test="message"]').text()).toContain('Hello from ECS');
    expect(wrapper.get('[data-test="version"]').text()).toBe('abc123');
    expect(wrapper.get('[data-test="hostname"]').text()).toBe('ip-10-0-1-5');
  });

  it('shows an error when the API is unavailable', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(503, { error: 'api unavailable' }))
    );
    const { wrapper } = await mountAt('/');
    expect(wrapper.get('[data-test="error"]').text()).toContain('503');
  });

  it('renders /about without calling the API, and sends unknown paths home', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const { wrapper, router } = await mountAt('/about');
    expect(wrapper.get('h1').text()).toBe('About');
    expect(fetchMock).not.toHaveBeenCalled();
    await router.push('/no/such/page');
    expect(router.currentRoute.value.path).toBe('/');
  });
});
