return "testlib-value"
