"""HTTP: routers by audience, request/response schemas, dependencies, problem rendering."""
