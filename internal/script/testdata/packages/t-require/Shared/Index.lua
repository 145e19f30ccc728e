-- Shared/Index.lua runs first; a file next to it wins over Server/.
SharedOrder, SharedOrderSource = Package.Require("order.lua")
SharedIndexSource = debug.getinfo(1, "S").short_src
