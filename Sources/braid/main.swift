print("braid")
