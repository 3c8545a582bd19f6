"""Request, WebSocket, responses, problem+json rendering; imports only `_declare`."""
