#!/usr/bin/env python3
"""Drives the Wenban image under QEMU through its serial console.

The factory image boots and creates its TPM-bound data partition, and is
provisioned as a hub. It installs a good update, which must be blessed.
Then it installs a broken update, which must fail the health gate on every
try until systemd-boot falls back to the good slot.

Usage: drive.py SERIAL_SOCKET LOG_FILE GOOD_BUNDLE_NAME BROKEN_BUNDLE_NAME
The bundles are files on the second virtio disk (/dev/vdb, ext4).
Exit status 0 means every check passed.
"""

import json
import re
import socket
import sys
import time

PROMPT = re.compile(rb"root@wenban:[^\n]*# $")
BOOT_BANNER = re.compile(rb"Linux version \d")
BOOT_TIMEOUT = 900  # seconds for one boot under TCG; KVM needs a tenth


class Console:
    """A serial console with a log of everything it printed."""

    def __init__(self, path, log_path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(1)
        self.log = open(log_path, "ab")
        self.buf = b""
        self.boots = 0
        self.started = time.monotonic()

    def note(self, text):
        stamp = time.monotonic() - self.started
        line = f"[drive {stamp:7.1f}s] {text}"
        print(line, flush=True)
        self.log.write(b"\n" + line.encode() + b"\n")
        self.log.flush()

    def _read(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        if not data:
            raise EOFError("QEMU closed the serial console")
        self.log.write(data)
        self.log.flush()
        self.boots += len(BOOT_BANNER.findall(data))
        self.buf += data

    def expect(self, pattern, timeout):
        """Waits for pattern in the output since the last match."""
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.buf)
            if m:
                before = self.buf[: m.start()]
                self.buf = self.buf[m.end():]
                return before
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {pattern.pattern!r} within {timeout}s")
            self._read()


ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def shell(con, command, timeout=120):
    """Runs command and returns (status, output text without the echo)."""
    marker = "__rc__"
    con.buf = b""
    con.sock.sendall(f"{command}; echo {marker}$?{marker}\n".encode())
    # The echoed command contains "$?", never digits, between the markers.
    pattern = re.compile(marker.encode() + rb"(\d+)" + marker.encode())
    deadline = time.monotonic() + timeout
    while True:
        m = pattern.search(con.buf)
        if m:
            out = ESCAPES.sub("", con.buf[: m.start()].decode(errors="replace")).replace("\r", "")
            status = int(m.group(1))
            con.buf = con.buf[m.end():]
            first, _, rest = out.partition("\n")
            if marker in first:
                out = rest
            return status, out
        if time.monotonic() > deadline:
            raise TimeoutError(f"command {command!r} did not finish within {timeout}s")
        con._read()


def must(con, command, timeout=120):
    status, out = shell(con, command, timeout)
    if status != 0:
        _, journal = shell(con, "journalctl -b --no-pager -n 60 -p info -u 'wenban*'", 60)
        raise AssertionError(f"{command!r} exited {status}:\n{out}\nlast journal lines of wenban units:\n{journal}")
    return out


def wait_login(con):
    con.expect(PROMPT, BOOT_TIMEOUT)
    # Quiet the kernel and systemd on this console so command output stays
    # readable; the log still has what came before.
    must(con, "bind 'set enable-bracketed-paste off'; dmesg -n 1; stty -echo cols 200")


def status_json(con):
    out = must(con, "wenban update status --json")
    return json.loads(out[out.index("{"):])


def wait_status(con, check, what, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        st = status_json(con)
        if check(st):
            return st
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s; last status {st}")
        time.sleep(3)


def slot(st, name):
    return next(s for s in st["slots"] if s["slot"] == name)


def main():
    sock_path, log_path, good, broken = sys.argv[1:5]
    con = Console(sock_path, log_path)

    con.note("waiting for the factory image (first boot creates the data partition)")
    wait_login(con)
    st = status_json(con)
    assert st["running"] == "A", st
    assert slot(st, "A")["entry"] == "good" and slot(st, "A")["release"]["version"] == "1.0.0", st
    con.note(f"factory boot: running {st['running']}, slot A {slot(st, 'A')}")

    tokens = must(con, "systemd-cryptenroll /dev/disk/by-partlabel/wenban-data")
    con.note("data partition key slots:\n" + tokens)
    assert "tpm2" in tokens and "recovery" in tokens, tokens
    assert "password" not in tokens, tokens

    con.note("provisioning as hub")
    out = must(con, "wenban provision --role hub --ntp 127.0.0.1")
    assert re.search(r"[cbdefghijklnrtuv]{8}(-[cbdefghijklnrtuv]{8}){7}", out), out
    must(con, "systemctl start wenban-network.service wenban.service")
    must(con, "wenban health-gate --strict --timeout 300s", timeout=330)

    con.note("applying the good update")
    must(con, "mount -o ro /dev/vdb /mnt")
    must(con, f"wenban update apply /mnt/{good}", timeout=600)
    st = status_json(con)
    assert slot(st, "B")["entry"] == "pending" and slot(st, "B")["tries_left"] == 3, st
    boots = con.boots
    shell(con, "umount /mnt; systemctl reboot", timeout=30)

    con.note("waiting for the good update to boot and be blessed")
    # The shell prints one more prompt before the reboot; the kernel banner
    # marks the new boot.
    con.expect(BOOT_BANNER, BOOT_TIMEOUT)
    wait_login(con)
    st = wait_status(con, lambda s: s["last_result"]["kind"] == "blessed", "blessing of 1.1.0", timeout=600)
    assert st["running"] == "B" and slot(st, "B")["release"]["version"] == "1.1.0", st
    assert slot(st, "A")["entry"] == "good", st
    con.note(f"good update blessed after {con.boots - boots} boot(s): {st['last_result']}")
    must(con, "wenban health-gate --strict --timeout 300s", timeout=330)

    con.note("applying the broken update (signed with the second trusted key)")
    must(con, "mount -o ro /dev/vdb /mnt")
    must(con, f"wenban update apply /mnt/{broken}", timeout=600)
    boots = con.boots
    shell(con, "umount /mnt; systemctl reboot", timeout=30)
    con.expect(BOOT_BANNER, BOOT_TIMEOUT)

    con.note("waiting for three failed tries and the fallback to slot B")
    deadline = time.monotonic() + 4 * BOOT_TIMEOUT
    while True:
        if time.monotonic() > deadline:
            raise AssertionError("no fallback to slot B")
        try:
            wait_login(con)
            running = must(con, "grep -o 'wenban.slot=.' /proc/cmdline", timeout=30).strip()
        except (TimeoutError, AssertionError) as err:
            # The health gate may reboot the broken slot under a command.
            con.note(f"console interrupted ({err}); waiting for the next boot")
            continue
        if running.endswith("B"):
            break
        con.note(f"boot {con.boots - boots} is the broken slot ({running}); waiting for its health gate to reboot")
        con.expect(BOOT_BANNER, BOOT_TIMEOUT)

    st = wait_status(con, lambda s: s["last_result"]["kind"] == "rolled_back", "rollback record")
    assert slot(st, "A")["entry"] == "bad" and slot(st, "A")["release"]["version"] == "1.2.0", st
    assert slot(st, "B")["entry"] == "good", st
    con.note(f"rolled back after {con.boots - boots} boot(s): {st['last_result']}")
    must(con, "wenban health-gate --strict --timeout 300s", timeout=330)
    con.note("data partition and provisioning survived: " + must(con, "cat /var/lib/wenban-data/provision/settings.json | tr -d '\\n '"))

    print(must(con, "wenban update status"))
    con.note("PASS")
    shell(con, "systemctl poweroff", timeout=30)


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, TimeoutError, EOFError) as err:
        print(f"FAIL: {err}", file=sys.stderr)
        sys.exit(1)
