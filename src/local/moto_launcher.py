"""Runs moto server on 127.0.0.1 with a free port, prints MOTO_PORT=<port>, and stops when stdin closes.

Started by src/local/moto.ts; tying the lifetime to stdin means no orphan server survives its parent.

Before it starts, CloudFront's invalidations are made to behave as CloudFront documents them, so that the
toolkit's code needs no emulator switch (docs/testing.md, "moto quirks"):
- CreateInvalidation answers `InProgress`, and the invalidation reads `Completed` from then on (moto 5.2.5
  says `COMPLETED` throughout; CloudFront's statuses are `InProgress` and `Completed`);
- a CreateInvalidation with a CallerReference already used on the distribution returns that invalidation
  instead of creating another when the paths are the same, and fails with InvalidationBatchAlreadyExists
  when they differ (moto creates a new one every time).
  https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html
"""
import copy
import sys

from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.models import CloudFrontBackend
from moto.server import ThreadedMotoServer


class InvalidationBatchAlreadyExists(CloudFrontException):
    def __init__(self) -> None:
        super().__init__(
            "InvalidationBatchAlreadyExists",
            "The CallerReference you're using to create the invalidation batch is already in use "
            "by an invalidation batch with other paths.",
        )


_moto_create_invalidation = CloudFrontBackend.create_invalidation


def _create_invalidation(self, dist_id, paths, caller_ref):
    self.get_distribution(dist_id)  # NoSuchDistribution first, as CloudFront answers
    for existing in self.invalidations.get(dist_id, []):
        if existing.caller_ref == caller_ref:
            if sorted(existing.paths) != sorted(paths):
                raise InvalidationBatchAlreadyExists()
            return existing
    invalidation = _moto_create_invalidation(self, dist_id, paths, caller_ref)
    invalidation.status = "Completed"
    reply = copy.copy(invalidation)
    reply.status = "InProgress"
    return reply


CloudFrontBackend.create_invalidation = _create_invalidation

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
_host, port = server.get_host_and_port()
print(f"MOTO_PORT={port}", flush=True)
try:
    sys.stdin.read()
finally:
    server.stop()
