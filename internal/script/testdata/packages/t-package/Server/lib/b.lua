return "b"
