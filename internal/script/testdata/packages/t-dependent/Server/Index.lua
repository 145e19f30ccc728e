-- Reads the exporter's library through the shared globals every time.
function Probe()
	return SharedLib and SharedLib.Version() or "missing", SharedConst
end
