"""Generate Python code from protos/ into services/gen/, or check that it is current.

protoc writes absolute imports (``from club.cards.v1 import ...``); we rewrite them to
``services.gen.club...`` so the generated code lives inside our package instead of
claiming the top-level name ``club``.

    python scripts/gen_protos.py          # regenerate
    python scripts/gen_protos.py --check  # exit 1 if services/gen differs from protos/
"""

from __future__ import annotations

import filecmp
import pathlib
import re
import shutil
import sys
import tempfile

from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
GEN_ROOT = ROOT / "services" / "gen"
IMPORT_RE = re.compile(r"^from club\.", re.MULTILINE)


def generate(out: pathlib.Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    include = str(pathlib.Path(protoc.__file__).parent / "_proto")
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}",
            f"--grpc_python_out={out}", *protos]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    for path in out.rglob("*.py*"):
        path.write_text(IMPORT_RE.sub("from services.gen.club.", path.read_text()))
    for directory in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()


def differs(a: pathlib.Path, b: pathlib.Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    out = [f"{a}/{n}" for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    for sub in cmp.common_dirs:
        out += differs(a / sub, b / sub)
    return out


def main() -> None:
    check = "--check" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp)
        generate(out)
        if check:
            stale = differs(out, GEN_ROOT) if GEN_ROOT.exists() else ["services/gen missing"]
            if stale:
                print("generated code is out of date; run `make proto`:", *stale, sep="\n  ")
                sys.exit(1)
            print("generated code is current")
            return
        shutil.rmtree(GEN_ROOT, ignore_errors=True)
        shutil.copytree(out, GEN_ROOT)
        print(f"generated {sum(1 for _ in GEN_ROOT.rglob('*_pb2.py'))} modules into {GEN_ROOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
