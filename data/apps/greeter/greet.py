print("Hello, Docker learner!")
