"""The job of rayjob-sample: counts with an actor (KubeRay's RayJob sample)."""

import os

import ray

ray.init()


@ray.remote
class Counter:
    def __init__(self):
        self.name = os.environ.get("counter_name", "counter")
        self.counter = 0

    def inc(self):
        self.counter += 1

    def get_counter(self):
        return f"{self.name} got {self.counter}"


counter = Counter.remote()
for _ in range(5):
    ray.get(counter.inc.remote())
    print(ray.get(counter.get_counter.remote()))
