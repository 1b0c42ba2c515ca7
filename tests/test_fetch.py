"""Fetching real GTZAN: mirrors, checksums, safe extraction, validation and the filtered split.

Nothing here touches the internet: archives are built in the test and served
from a local HTTP server on 127.0.0.1.
"""

import hashlib
import io
import json
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import genre_lab as gl
from genre_lab.cli import main
from genre_lab.fetch import Source, fetch_filtered_split, fetch_gtzan, safe_extract
from tests.conftest import tone, write


class Server:
    """Serves ``files[path] = bytes``; ``truncate`` paths send half the body then hang up; hits are counted."""

    def __init__(self):
        self.files, self.truncate, self.hits = {}, set(), {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if self.path in outer.truncate else body)
                if self.path in outer.truncate:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path, body):
        self.files[path] = body
        return self.url + path


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gtzan_archive(tmp_path, extra=None) -> bytes:
    """A tiny GTZAN-like genres.tar.gz: 2 genres x 2 clips of 1 s, a macOS ._ file, plus ``extra`` members."""
    src = tmp_path / "src"
    for g in ("metal", "reggae"):
        for k in range(2):
            write(src / "genres" / g / f"{g}.{k:05d}.wav", tone(1.0, 200 + 50 * k))
    (src / "genres" / "metal" / "._metal.00000.wav").write_bytes(b"\x00\x05\x16\x07")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(src / "genres", arcname="genres")
        for info, data in extra or []:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name, data=b"x", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def test_good_archive_is_verified_extracted_and_usable(server, tmp_path):
    data = gtzan_archive(tmp_path)
    url = server.add("/genres.tar.gz", data)
    root = fetch_gtzan(tmp_path / "dest", sources=[Source("local-mirror", url, sha(data))], progress=False)
    assert root == tmp_path / "dest" / "gtzan"
    tracks = gl.find_tracks(root, ["metal", "reggae"])
    assert list(tracks["track_id"]) == ["metal.00000", "metal.00001", "reggae.00000", "reggae.00001"]
    marker = json.loads((root / ".genre_lab_fetched.json").read_text())
    assert marker["sha256"] == sha(data) and marker["source"] == "local-mirror"


def test_second_call_does_not_download_again(server, tmp_path):
    data = gtzan_archive(tmp_path)
    src = [Source("m", server.add("/g.tar.gz", data), sha(data))]
    first = fetch_gtzan(tmp_path / "d", sources=src, progress=False)
    second = fetch_gtzan(tmp_path / "d", sources=src, progress=False)
    assert first == second and server.hits["/g.tar.gz"] == 1


def test_checksum_mismatch_is_deleted_and_reported(server, tmp_path):
    data = gtzan_archive(tmp_path)
    src = [Source("tampered", server.add("/g.tar.gz", data), "0" * 64)]
    with pytest.raises(gl.FetchError) as err:
        fetch_gtzan(tmp_path / "d", sources=src, progress=False)
    msg = str(err.value)
    assert "tampered" in msg and "checksum mismatch" in msg and "--url /path/to/genres.tar.gz" in msg
    assert not list((tmp_path / "d").rglob("*.tar.gz")) and not (tmp_path / "d" / "gtzan").exists()


def test_dead_first_mirror_then_good_second(server, tmp_path, caplog):
    data = gtzan_archive(tmp_path)
    sources = [Source("dead", server.url + "/gone.tar.gz", sha(data)),
               Source("alive", server.add("/g.tar.gz", data), sha(data))]
    root = fetch_gtzan(tmp_path / "d", sources=sources, progress=False)
    assert json.loads((root / ".genre_lab_fetched.json").read_text())["source"] == "alive"
    assert server.hits["/gone.tar.gz"] == 1 and "dead failed" in caplog.text


def test_interrupted_download_leaves_nothing_and_next_source_is_tried(server, tmp_path):
    data = gtzan_archive(tmp_path)
    cut = server.add("/cut.tar.gz", data)
    server.truncate.add("/cut.tar.gz")
    with pytest.raises(gl.FetchError, match="cut"):
        fetch_gtzan(tmp_path / "d", sources=[Source("cut", cut, sha(data))], progress=False)
    assert not [p for p in (tmp_path / "d").rglob("*") if p.is_file()]
    good = server.add("/g.tar.gz", data)
    root = fetch_gtzan(tmp_path / "d", sources=[Source("cut", cut, sha(data)), Source("ok", good, sha(data))],
                       progress=False)
    assert len(gl.find_tracks(root, ["metal", "reggae"])) == 4


def test_all_sources_failing_lists_each_reason(server, tmp_path):
    with pytest.raises(gl.FetchError) as err:
        fetch_gtzan(tmp_path / "d", sources=[Source("a", server.url + "/a.tgz", "0" * 64),
                                             Source("b", server.url + "/b.tgz", "0" * 64)], progress=False)
    assert "Tried:\n  - a <" in str(err.value) and "\n  - b <" in str(err.value) and "404" in str(err.value)


def test_local_archive_works_without_network(tmp_path):
    data = gtzan_archive(tmp_path)
    archive = tmp_path / "genres.tar.gz"
    archive.write_bytes(data)
    root = fetch_gtzan(tmp_path / "d", url=str(archive), sha256=sha(data))
    assert len(gl.find_tracks(root, ["metal", "reggae"])) == 4
    with pytest.raises(gl.FetchError, match="mismatch"):
        fetch_gtzan(tmp_path / "e", url=f"file://{archive}", sha256="1" * 64)
    assert archive.is_file()  # a user's own file is never deleted


@pytest.mark.parametrize("bad", [
    [member("../evil.txt")],
    [member("/tmp/genre_lab_abs_evil.txt")],
    [member("genres/metal/link.wav", kind=tarfile.SYMTYPE, link="/etc/passwd")],
    [member("genres/metal/hard.wav", kind=tarfile.LNKTYPE, link="genres/metal/metal.00000.wav")],
])
def test_unsafe_archives_are_refused_whole(server, tmp_path, bad):
    data = gtzan_archive(tmp_path, extra=bad)
    url = server.add("/evil.tar.gz", data)
    with pytest.raises(gl.FetchError, match="unsafe member"):
        fetch_gtzan(tmp_path / "d", sources=[Source("evil", url, sha(data))], progress=False)
    assert not (tmp_path / "d" / "gtzan").exists() and not (tmp_path / "evil.txt").exists()
    assert not list((tmp_path / "d").glob(".gtzan.extracting-*"))


def test_an_unsafe_archive_is_deleted_and_the_next_mirror_tried(server, tmp_path):
    evil = gtzan_archive(tmp_path, extra=[member("../evil.txt")])
    good = gtzan_archive(tmp_path)
    sources = [Source("evil", server.add("/evil.tar.gz", evil), sha(evil)),
               Source("good", server.add("/good.tar.gz", good), sha(good))]
    root = fetch_gtzan(tmp_path / "d", sources=sources, progress=False)
    assert json.loads((root / ".genre_lab_fetched.json").read_text())["source"] == "good"
    assert not (tmp_path / "d" / "downloads" / "evil" / "evil.tar.gz").exists()


def test_a_folder_not_made_by_fetch_is_never_overwritten(tmp_path):
    (tmp_path / "d" / "gtzan").mkdir(parents=True)
    (tmp_path / "d" / "gtzan" / "my_notes.txt").write_text("keep me")
    with pytest.raises(gl.FetchError, match="not made by fetch-gtzan"):
        fetch_gtzan(tmp_path / "d", url=str(_archive_file(tmp_path)))
    assert (tmp_path / "d" / "gtzan" / "my_notes.txt").read_text() == "keep me"


def test_partial_extraction_never_looks_complete(tmp_path):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(gtzan_archive(tmp_path)[:-200])  # truncated gzip stream
    with pytest.raises(gl.FetchError, match="not a readable tar"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.extracting-*"))


def test_cli_fetch_gtzan_prints_the_setting(tmp_path, capsys):
    data = gtzan_archive(tmp_path)
    (tmp_path / "genres.tar.gz").write_bytes(data)
    assert main(["fetch-gtzan", "--dest", str(tmp_path / "d"), "--url", str(tmp_path / "genres.tar.gz"),
                 "--sha256", sha(data), "--quiet"]) == 0
    assert "export GENRE_LAB_DATA=" in capsys.readouterr().out


# -- validation -----------------------------------------------------------------------------------------------

def small_gtzan(tmp_path):
    base = tmp_path / "Data" / "genres_original"
    for g in ("jazz", "rock"):
        for k in range(3):
            write(base / g / f"{g}.{k:05d}.wav", tone(30.0, 100 + 40 * k + (g == "rock")))
    return tmp_path / "Data", base


def test_validate_passes_a_clean_copy(tmp_path):
    root, _ = small_gtzan(tmp_path)
    rep = gl.validate_dataset(root, ["jazz", "rock"], expected_per_genre=3)
    assert rep["ok"] and rep["files_per_genre"] == {"jazz": 3, "rock": 3} and rep["problems"] == []


def test_validate_reports_every_fault_but_not_the_known_bad(tmp_path, capsys):
    root, base = small_gtzan(tmp_path)
    (base / "jazz" / "jazz.00054.wav").write_bytes(b"\x00" * 64)                       # known bad
    (base / "rock" / "rock.00001.wav").write_bytes(b"RIFF junk")                      # corrupt
    write(base / "rock" / "rock.00002.wav", tone(12.0))                               # too short
    (base / "jazz" / "jazz.00003.wav").write_bytes((base / "jazz" / "jazz.00000.wav").read_bytes())  # duplicate
    rep = gl.validate_dataset(root, ["jazz", "rock"], expected_per_genre=3)
    assert not rep["ok"]
    assert rep["known_bad"] == ["genres_original/jazz/jazz.00054.wav"]
    assert [u["path"] for u in rep["unreadable"]] == ["genres_original/rock/rock.00001.wav"]
    assert rep["bad_duration"] == [{"path": "genres_original/rock/rock.00002.wav", "seconds": 12.0}]
    assert rep["duplicates"] == [["genres_original/jazz/jazz.00000.wav", "genres_original/jazz/jazz.00003.wav"]]
    assert "jazz: 5 files, expected 3" in rep["problems"]
    assert main(["validate", "--root", str(root), "--genres", "jazz,rock", "--expected", "3"]) == 1
    out = capsys.readouterr().out
    assert "known bad" in out and "PROBLEM: genres_original/rock/rock.00001.wav cannot be decoded" in out
    assert main(["validate", "--root", str(root), "--genres", "jazz,rock", "--expected", "3", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


# -- the artist-filtered split ----------------------------------------------------------------------------------

def test_filtered_split_is_fetched_checked_and_usable(server, tmp_path):
    lists = {"train": "metal/metal.00000.wav\nreggae/reggae.00000.wav\n", "valid": "metal/metal.00001.wav\n",
             "test": "reggae/reggae.00001.wav\nreggae/reggae.00042.wav\n"}
    for name, text in lists.items():
        server.add(f"/split/{name}_filtered.txt", text.encode())
    paths = fetch_filtered_split(tmp_path / "s", base_url=server.url + "/split",
                                 expected={"train": 2, "validation": 1, "test": 2})
    assert sorted(paths) == ["test", "train", "validation"]
    root = fetch_gtzan(tmp_path / "d", url=str(_archive_file(tmp_path)))
    split, missing = gl.split_from_lists(gl.find_tracks(root, ["metal", "reggae"]), **paths)
    assert split.set_index("track_id")["split"].to_dict() == {
        "metal.00000": "train", "metal.00001": "validation", "reggae.00000": "train", "reggae.00001": "test"}
    assert missing["entry"].tolist() == ["reggae/reggae.00042.wav"]


def _archive_file(tmp_path):
    path = tmp_path / "genres.tar.gz"
    path.write_bytes(gtzan_archive(tmp_path))
    return path


def test_filtered_split_with_wrong_counts_is_refused_and_deleted(server, tmp_path):
    for name in ("train", "valid", "test"):
        server.add(f"/split/{name}_filtered.txt", b"metal/metal.00000.wav\n" if name == "train" else b"")
    with pytest.raises(gl.FetchError, match="lists 1 tracks, expected 443"):
        fetch_filtered_split(tmp_path / "s", base_url=server.url + "/split")
    assert not list((tmp_path / "s").rglob("*.txt"))


def test_refetching_unpinned_lists_offline_keeps_the_good_copies(server, tmp_path):
    lists = {"train": b"metal/metal.00000.wav\n", "valid": b"metal/metal.00001.wav\n", "test": b"metal/metal.00002.wav\n"}
    for name, text in lists.items():
        server.add(f"/split/{name}_filtered.txt", text)
    counts = {"train": 1, "validation": 1, "test": 1}
    paths = fetch_filtered_split(tmp_path / "s", base_url=server.url + "/split", expected=counts)
    server.files.clear()  # the mirror goes away
    with pytest.raises(gl.FetchError):
        fetch_filtered_split(tmp_path / "s", base_url=server.url + "/split", expected=counts)
    assert all(p.read_bytes() for p in paths.values())
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(p.name for p in paths.values())
