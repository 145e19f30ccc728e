-- Never runs on the server.
error("Client/Index.lua must not run on the server")
