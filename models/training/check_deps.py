"""Checks the training dependencies (Debian packages; there is no PyPI here) and says how to install them."""
import importlib
import importlib.util
import shutil
import subprocess
import sys

PACKAGES = {"torch": "python3-torch", "onnx": "python3-onnx", "numpy": "python3-numpy",
            "scipy": "python3-scipy", "PIL": "python3-pil"}


def require() -> None:
    missing = [deb for mod, deb in PACKAGES.items() if importlib.util.find_spec(mod) is None]
    if not missing:
        return
    if sys.executable != "/usr/bin/python3":
        sys.exit(f"Run the training scripts with Debian's /usr/bin/python3 (this is {sys.executable}).")
    if shutil.which("apt-get") and subprocess.call(["apt-get", "install", "-y", "-qq", *missing]) == 0:
        return
    sys.exit("Missing Python packages; install them with: apt-get install -y " + " ".join(missing))


if __name__ == "__main__":
    require()
    print("training dependencies present")
