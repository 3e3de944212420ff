"""Realistic student questions, Dutch and English, and the lesson page each should find first."""

QUESTIONS = [
    ("Waarom is mijn bestand weg nadat ik de container verwijderde?", "lesson:writable_layer:2"),
    ("Why is my file gone after docker rm?", "lesson:writable_layer:2"),
    ("Blijven mijn bestanden bestaan als de container stopt?", "lesson:writable_layer:1"),
    ("Does data survive when a container is stopped?", "lesson:writable_layer:1"),
    ("Wat betekent <missing> in docker history?", "lesson:history:1"),
    ("what does missing mean in the history of an image", "lesson:history:1"),
    ("Waar staat de writable layer op de host? mount-id", "lesson:host_storage:0"),
    ("where on the host disk is the container layer, layerdb mount-id", "lesson:host_storage:0"),
    # The concept's page, or its "by hand" page in the playground: both answer it.
    ("Wat is een whiteout?", "lesson:overlayfs:2|lesson:overlayfs:5"),
    ("How does overlayfs delete a file from a lower layer?", "lesson:overlayfs:2|lesson:overlayfs:5"),
    ("Wat doet copy-up als ik een bestand wijzig?", "lesson:overlayfs:1|lesson:overlayfs:4"),
    ("Heeft een container een eigen kernel?", "lesson:linux:0|lesson:linux:3"),
    ("Which kernel does a container use, is it shared with the host?", "lesson:linux:3"),
    ("Wat is het verschil tussen namespaces en cgroups?", "lesson:linux:0"),
    ("hoe beperkt docker het geheugen van een container", "lesson:linux:2"),
    ("Wat toont docker info over gestopte containers?", "lesson:info:1"),
    ("Wat doet docker commit precies?", "lesson:commit:0"),
    ("Should I use docker commit or a Dockerfile?", "lesson:commit:2"),
    ("Wat zit er in de -init layer van LowerDir?", "lesson:inspect:0"),
    ("What does RootFS Layers show in docker image inspect?", "lesson:inspect:1"),
]
