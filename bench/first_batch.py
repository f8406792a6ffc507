"""Seconds from launching a command to its first line that contains MARKER (then the command is
stopped), REPS times. Usage: python3 first_batch.py REPS MARKER COMMAND..."""
import subprocess
import sys
import time


def main():
    reps, marker, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    for r in range(1, reps + 1):
        t0 = time.perf_counter()
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = None
        for line in p.stdout:
            if marker in line:
                seen = time.perf_counter() - t0
                break
        p.kill()
        p.wait()
        if seen is None:
            sys.exit("no line with %r from %s" % (marker, " ".join(command)))
        print("first batch %d: %.2f s" % (r, seen))


if __name__ == "__main__":
    main()
