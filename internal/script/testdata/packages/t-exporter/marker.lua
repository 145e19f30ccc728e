return "packages"
