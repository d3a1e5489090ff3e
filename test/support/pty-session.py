#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal and plays a script against it, for tests of interactive
commands (phyllo vm console). Usage: pty-session.py STEPS_JSON CMD [ARG...]
STEPS_JSON is a list of {"expect": REGEX} (wait until the output so far matches), {"send": TEXT}
(type it; \\u001d is Ctrl-]), {"signal": "SIGTERM"} and {"touch": PATH} (create the file: tells the
test the steps before it are done) steps. Prints one JSON document: the terminal
mode (`stty -g`) before and after, the output, the exit code, and the step that timed out (if any).
A step that never matches fails after 120 s: a hang guard, not a speed limit."""
import json, os, re, select, signal, subprocess, sys, time

steps = json.loads(sys.argv[1])
cmd = sys.argv[2:]
master, slave = os.openpty()

def stty():
    return subprocess.run(["stty", "-g"], stdin=slave, capture_output=True, text=True).stdout.strip()

before = stty()
proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
out = b""
failed = None

def read_some(timeout):
    global out
    r, _, _ = select.select([master], [], [], timeout)
    if r:
        try:
            out += os.read(master, 65536)
        except OSError:
            pass

for i, step in enumerate(steps):
    if "expect" in step:
        deadline = time.time() + 120
        pattern = re.compile(step["expect"].encode())
        while not pattern.search(out):
            if time.time() > deadline or proc.poll() is not None and not select.select([master], [], [], 0.2)[0]:
                failed = i
                break
            read_some(0.2)
        if failed is not None:
            break
    elif "send" in step:
        os.write(master, step["send"].encode())
    elif "signal" in step:
        proc.send_signal(getattr(signal, step["signal"]))
    elif "touch" in step:
        open(step["touch"], "w").close()
    elif "wait_exit" in step:
        pass

deadline = time.time() + 120
while proc.poll() is None and time.time() < deadline:
    read_some(0.2)
if proc.poll() is None:
    proc.kill()
read_some(0.2)
after = stty()
print(json.dumps({"before": before, "after": after, "output": out.decode("utf8", "replace"),
                  "exit": proc.returncode, "failedStep": failed}))
