"""Finds the detached actor and increments it: run it before and after the head restarts."""

import ray

ray.init(namespace="default_namespace")
counter = ray.get_actor("counter_actor")
print(ray.get(counter.increment.remote()))
