RequireCount = (RequireCount or 0) + 1
return RequireCount, "second value"
