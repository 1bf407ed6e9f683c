"""Creates a detached actor that outlives this driver: after the head pod is
deleted, it is still there if the GCS state came back from Redis (seed 000)."""

import ray

ray.init(namespace="default_namespace")


@ray.remote
class Counter:
    def __init__(self):
        self.value = 0

    def increment(self):
        self.value += 1
        return self.value


Counter.options(name="counter_actor", lifetime="detached").remote()
