-- An old "library" package: Package.RequirePackage runs it inside the requiring package.
LibValue = "from the library"
