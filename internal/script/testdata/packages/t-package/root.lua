return "package-root"
