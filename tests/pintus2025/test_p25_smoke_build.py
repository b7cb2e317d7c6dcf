"""pintus2025 in the end-to-end smoke build (the session's ``smoke_run``): without the ImageNet weights
the pretrained job stops with the offline message and nothing else is lost."""
import os
import subprocess

from conftest import HAVE_DATA

FIG = "figures/gerace2022/fig2b"


def test_pintus2025_without_weights_stops_with_the_offline_message(smoke_run, tmp_path):
    """No ImageNet weights on this machine: the pretrained job fails at once, naming the weights file,
    the architecture and TLREPRO_DATA_MIRROR; nothing else is lost."""
    work, cmd = smoke_run
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    if HAVE_DATA:
        (mirror / "mnist").symlink_to(os.environ["TLREPRO_DATA_MIRROR"] + "/mnist")
    before = (work / f"{FIG}.claims.json").read_bytes()
    res = subprocess.run(cmd[:3] + ["results/pintus2025/metrics-pretrained.csv"] + cmd[-4:],
                         cwd=work, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, TLREPRO_DATA_MIRROR=str(mirror)))
    assert res.returncode != 0
    log = (work / "logs/p25_finetune/pretrained.log").read_text() if HAVE_DATA else res.stderr
    text = log + res.stderr
    if HAVE_DATA:
        assert "resnet50" in text and "TLREPRO_DATA_MIRROR" in text, text[-3000:]
    else:  # the MNIST download stops first, with the same kind of message
        assert "mnist" in text and "TLREPRO_DATA_MIRROR" in text, text[-3000:]
    assert not (work / "results/pintus2025/metrics-pretrained.csv").exists()
    assert (work / f"{FIG}.claims.json").read_bytes() == before
