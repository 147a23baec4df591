"""A backup taken while another abctl process syncs (real `sandbox serve` over loopback, a real sync subprocess)
is one consistent state: it restores to a database that passes integrity_check, with every license row belonging
to a known account and asset, and holds no sToken."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.reliability.conftest import Abctl, Served


def test_backups_taken_during_a_real_sync_restore_consistently(served: Served, tmp_path: Path) -> None:
    abctl = Abctl(tmp_path / "home", served.api_url)
    abctl.expect("tokens", "add", "district", "--file", str(served.token("district")))
    abctl.expect("tokens", "add", "highschool", "--file", str(served.token("highschool")))
    served.admin("faults", {"spec": "latency=150"})  # the full sync takes a few seconds: backups land inside it
    try:
        sync = subprocess.Popen([sys.executable, "-m", "abctl", "sync", "--full"], env=abctl.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        backups: list[Path] = []
        while sync.poll() is None and len(backups) < 5:
            dest = tmp_path / f"during-{len(backups)}.db"
            abctl.expect("backup", str(dest))
            backups.append(dest)
            time.sleep(0.2)
        _, errors = sync.communicate(timeout=120)
    finally:
        served.admin("faults", {"spec": ""})
    assert sync.returncode == 0, errors
    assert backups
    for index, backup in enumerate(backups):
        restored = Abctl(tmp_path / f"restored-{index}", served.api_url)
        restored.expect("restore", str(backup), "--yes")
        conn = sqlite3.connect(restored.db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("SELECT count(*) FROM licenses").fetchone()[0] > 0
            orphans = conn.execute(
                "SELECT count(*) FROM licenses l WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.account_id ="
                " l.account_id AND a.adam_id = l.adam_id AND a.pricing_param = l.pricing_param)"
            ).fetchone()[0]
            assert orphans == 0, backup
            assert conn.execute("SELECT count(*) FROM secrets").fetchone() == (0,)
        finally:
            conn.close()
