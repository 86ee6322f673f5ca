"""The national-scale dossier writer: the month's state of hand-made dossiers, as CSV lines."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from orchestration.contracts import load_contracts
from orchestration.simulate.bulk import DossierColumns, write_dossiers
from orchestration.simulate.world import Month

NAT = np.datetime64("NaT", "s")


def _ts(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def test_dossier_rows_follow_the_state_at_the_cut_off(tmp_path: Path) -> None:
    # Four dossiers (procedure 3 is a birth registration, one day allowed):
    # 1 returned on time in March; 2 received on 30/03, waiting for a supplement and past its
    # due time at the cut-off, so late with its cause;
    # 3 finished in February, so not in March's export; 4 open for a month with two
    # supplement requests: late, its cause and apology shown.
    columns = DossierColumns(
        number=np.array([1, 2, 3, 4]),
        day=np.array(["2026-03-05", "2026-03-30", "2026-02-01", "2026-03-01"],
                     dtype="datetime64[D]"),
        procedure=np.array([3, 3, 3, 3]),
        unit=np.array([0, 1, 0, 1]),
        official=np.array(["000007", None, "000007", "000012"], dtype=object),
        channel=np.array([0, 1, 0, 2]),
        received=np.array([_ts("2026-03-05T09:00:00"), _ts("2026-03-30T10:00:00"),
                           _ts("2026-02-01T08:00:00"), _ts("2026-03-01T08:00:00")]),
        due=np.array([_ts("2026-03-06T09:00:00"), _ts("2026-03-31T10:00:00"),
                      _ts("2026-02-02T08:00:00"), _ts("2026-03-02T08:00:00")]),
        finished=np.array([_ts("2026-03-05T15:30:00"), NAT, _ts("2026-02-01T16:00:00"), NAT]),
        outcome=np.array([0, 0, 0, 0]),
        supplements=np.array([0, 1, 0, 2]),
        cause=np.array([-1, 1, 0, 0]),
        apology=np.array([False, True, False, True]),
        unit_codes=np.array(["H10.X01", "H10.S02"], dtype=object),
    )
    headers = [c.header for c in load_contracts()["ho_so_tthc"].columns]
    path = tmp_path / "ho_so_tthc.csv"
    written = write_dossiers(columns, Month("2026-03"), headers, path, seed=7)

    assert written == 3
    raw = path.read_bytes()
    assert raw.startswith("\ufeffMã hồ sơ;".encode())
    lines = unicodedata.normalize("NFC", raw.decode("utf-8-sig")).splitlines()
    assert lines[0] == ";".join(headers)
    assert sorted(lines[1:]) == sorted([
        "H10.X01-260305-00001;2.000889;Đăng ký khai sinh;Hộ tịch;H10.X01;000007;Trực tiếp;"
        "05/03/2026 09:00:00;06/03/2026 09:00:00;05/03/2026 15:30:00;Đã trả kết quả;0;;Không",
        "H10.S02-260330-00002;2.000889;Đăng ký khai sinh;Hộ tịch;H10.S02;;Trực tuyến;"
        "30/03/2026 10:00:00;31/03/2026 10:00:00;;Chờ bổ sung;1;Khách quan;Có",
        "H10.S02-260301-00004;2.000889;Đăng ký khai sinh;Hộ tịch;H10.S02;000012;Bưu chính;"
        "01/03/2026 08:00:00;02/03/2026 08:00:00;;Đang xử lý;2;Chủ quan;Có",
    ])
