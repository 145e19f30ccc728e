-- Runs before Server/Index.lua.
SharedRan = true
SharedOrder = { "shared" }
