"""layerlab: a Discord bot that teaches how Docker images and containers are built from layers."""

__version__ = "0.1.0"
