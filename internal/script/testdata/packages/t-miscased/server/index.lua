Miscased = true
