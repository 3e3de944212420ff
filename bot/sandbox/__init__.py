"""The only package that talks to a Docker engine.

One ``Sandbox`` per engine (sandbox.py) holds the parts, each a module of its own:

- ``client``: the SDK client, its thread pool, up/down state (``EngineClient.call``)
- ``runner``: the one runner of student commands (one-shot, exec) under ``Limits``
- ``policy``: which images a student may use, their own names, the quota
- ``images``: history, images, commit, rmi, inspect, pull
- ``labs``: each student's lab container
- ``host``: ``docker info``, the doctor's facts, where files lie on the host
- ``cleanup`` and ``labels``: what the bot's labels find again (leftovers, owners)

Plain values (``models``, ``limits``, ``refs``) import no Docker SDK, and this
package's ``__init__`` imports nothing, so that importing them loads none. The blocking
SDK runs on each engine's own thread pool; nothing else in the bot imports
``docker`` (a lint rule enforces that).
"""
