return "relative", debug.getinfo(1, "S").short_src
