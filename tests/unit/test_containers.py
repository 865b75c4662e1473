

def test_a_serve_that_got_no_answer_says_why_in_words_never_none():
    """A verifier's break: `serve(..., timeout=3)` of a container that kept running said `no answer (exit code None)`."""
    from dockerlab.containers import ServeResult

    running = ServeResult("alpine:3.20", False, None, "", None, "", container_port=8080)
    assert "None" not in str(running) and "still running but nothing answered there" in str(running)
    assert "port 8080" in str(running) and "timeout=" in str(running) and "its log is empty" in str(running)
    exited = ServeResult("alpine:3.20", False, None, "", 3, "boom\n")
    assert str(exited) == "alpine:3.20: no answer: the container exited with code 3; its log: boom"
