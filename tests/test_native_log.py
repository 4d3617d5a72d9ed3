import os
import subprocess
import sys

from ch3lib._native_log import drop_info_lines, quiet_native_info_logs

BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def test_info_records_and_their_continuations_are_dropped_and_plain_text_passes_through():
    text = (
        f"{BANNER}\n"
        "I0000 00:00:1.0 1 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n"
        "To enable the following instructions: AVX2, rebuild TensorFlow.\n"
        "W0000 00:00:1.0 1 something.cc:1] a real warning\n"
        "and its second line\n"
        "E0000 00:00:1.0 1 other.cc:2] an error\n"
    )
    assert drop_info_lines(text) == (
        "W0000 00:00:1.0 1 something.cc:1] a real warning\n"
        "and its second line\n"
        "E0000 00:00:1.0 1 other.cc:2] an error\n"
    )
    traceback = "Traceback (most recent call last):\n  boom\n"
    assert drop_info_lines(traceback) == traceback


def test_quiet_block_mutes_info_written_to_fd_2_and_keeps_the_rest(capfd):
    with quiet_native_info_logs():
        os.write(2, b"I0000 00:00 port.cc:153] oneDNN custom operations are on\n")
        os.write(2, b"E0000 00:00 x.cc:1] keep me\n")
    err = capfd.readouterr().err
    assert "oneDNN" not in err and "E0000 00:00 x.cc:1] keep me" in err


def test_importing_ch3lib_and_setup_write_nothing_to_stderr():
    """The real thing: a fresh interpreter, TensorFlow's own start-up, no log lines."""
    code = "import ch3lib; ch3lib.setup(); import tensorflow as tf; print(float(tf.ones(()) + 1))"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert (result.stdout, result.stderr) == ("2.0\n", "")
