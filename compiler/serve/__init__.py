"""`pool serve`: a REST API and the studio page over the same driver the CLI uses.

service.py holds what each endpoint computes (no HTTP in it), requests.py how a request
is read and refused, catalog.py the policies a client may name, app.py the Starlette
routes, limits and security headers, studio.py the page. Policies arrive as a name
from the catalogue or as text; scenarios as JSON documents. Nothing here writes a
file, takes a path from a client, or executes code generated from a client's text:
evaluation is on the reference interpreter (docs/serve.md).
"""
