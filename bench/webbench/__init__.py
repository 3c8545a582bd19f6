"""The web benchmark harness: the same scenarios in Lexigram and its peers, two drivers.

``scenarios`` defines what every app must answer; ``frameworks`` holds one module per
framework building those apps; ``asgi`` is the in-process driver, ``loopback`` the
granian + wrk driver, ``routing`` the route-count scaling; ``report`` writes the docs page.
"""
