"""Applying layers (dockerlab.layerfs.replay) by each rule of the OCI changeset: directory entries,
opaque markers and hard links read from real tar bytes, then what is visible and what is wasted."""
import io
import tarfile
from contextlib import contextmanager

from dockerlab.archive import LayerBlob
from dockerlab.layerfs import LayerFiles, _read_layer, replay
from dockerlab.security import _look_for_secrets, secrets_from_layers
from dockerlab.waste import waste_from_layers

KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"


def tar_layer(*members, examine=None) -> LayerFiles:
    """A layer from (name, kind, data-or-linkname) members, read as the course reads a saved layer."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, payload
                archive.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
                archive.addfile(info)
            else:
                info.size = len(payload)
                info.mode = kind if isinstance(kind, int) else 0o644  # a number: the file's mode (setuid...)
                archive.addfile(info, io.BytesIO(payload))
    data = buffer.getvalue()

    @contextmanager
    def again():  # the layer opened once more, as layerfs does for a hard link's target
        yield LayerBlob("layer.tar", io.BytesIO(data), len(data), "none")

    return _read_layer(LayerBlob("layer.tar", io.BytesIO(data), len(data), "none"), True, examine, again=again)


def test_a_directory_entry_and_opaque_marker_are_read_from_the_tar():
    layer = tar_layer(("x/", "dir", None), ("x/.wh..wh..opq", "file", b""))
    assert layer.dirs == ["/x"] and layer.opaque_dirs == ["/x"] and layer.files == {}


def test_a_file_replaced_by_a_directory_is_hidden_and_wasted():
    # RUN head -c 1000000 /dev/urandom > /x / RUN rm /x && mkdir /x: the second tar holds x/ and x/.wh..wh..opq
    first = tar_layer(("x", "file", b"\0" * 1_000_000))
    second = tar_layer(("x/", "dir", None), ("x/.wh..wh..opq", "file", b""))
    state = replay([first, second])
    assert "/x" not in state.visible
    waste = waste_from_layers("img", [first, second])
    assert waste.total_bytes == 1_000_000 and waste.dive_bytes == 1_000_000


def test_a_directory_entry_alone_replaces_a_file_or_a_symlink():
    layers = [LayerFiles("a", files={"/f": 700, "/l": 0}, links={"/l"}), LayerFiles("b", dirs=["/f", "/l"])]
    state = replay(layers)
    assert state.visible == {} and sorted(path for path, *_ in state.removed) == ["/f", "/l"]
    assert waste_from_layers("img", layers).total_bytes == 700


def test_a_directory_entry_over_a_directory_keeps_what_it_holds():
    layers = [LayerFiles("a", files={"/d/f": 5}), LayerFiles("b", files={"/d/g": 6}, dirs=["/d"])]
    assert set(replay(layers).visible) == {"/d/f", "/d/g"}


def test_a_hard_link_carries_its_targets_size_and_content_findings_under_its_own_name():
    layer = tar_layer(("root/.ssh/id_rsa", "file", KEY), ("zz_keep", "hardlink", "root/.ssh/id_rsa"), examine=_look_for_secrets)
    assert layer.files["/zz_keep"] == 0 and layer.hardlinks == {"/zz_keep": "/root/.ssh/id_rsa"}
    assert [what for what, _ in layer.examined["/root/.ssh/id_rsa"]] == ["an SSH private key", "a private key"]
    assert [what for what, _ in layer.examined["/zz_keep"]] == ["a private key"]  # the content; the name zz_keep says nothing
    assert replay([layer]).visible["/zz_keep"] == (0, len(KEY))


def test_a_key_deleted_under_one_name_is_visible_through_its_hard_link():
    written = tar_layer(("root/.ssh/id_rsa", "file", KEY), ("zz_keep", "hardlink", "root/.ssh/id_rsa"), examine=_look_for_secrets)
    layers = [written, LayerFiles("RUN rm /root/.ssh/id_rsa", whiteouts=["/root/.ssh/id_rsa"])]
    table = secrets_from_layers("img", {"Config": {}}, layers)
    visible = dict(zip(table["where"], table["visible_in_final_filesystem"], strict=True))
    assert visible == {"/root/.ssh/id_rsa": False, "/zz_keep": True}
    assert set(table.loc[table["where"] == "/zz_keep", "bytes"]) == {len(KEY)}
    waste = waste_from_layers("img", layers)
    assert waste.total_bytes == 0  # a container still reads the bytes through /zz_keep
    assert waste.dive_bytes == len(KEY)  # dive counts the deleted name's copies (the link's member has size 0)
    assert waste.efficiency == 1.0


def test_a_file_is_wasted_once_its_last_hard_link_goes():
    written = tar_layer(("h", "file", b"1" * 100), ("h2", "hardlink", "h"))
    layers = [written, LayerFiles("rm /h", whiteouts=["/h"]), LayerFiles("rm /h2", whiteouts=["/h2"])]
    waste = waste_from_layers("img", layers)
    assert waste.total_bytes == 100 and list(waste.offenders["path"]) == ["/h2"]
    assert waste.efficiency == 0.0


def test_overwriting_one_name_of_a_hard_linked_file_wastes_nothing():
    written = tar_layer(("h", "file", b"1" * 100), ("h2", "hardlink", "h"))
    layers = [written, LayerFiles("echo > /h", files={"/h": 3})]
    state = replay(layers)
    assert state.visible == {"/h": (1, 3), "/h2": (0, 100)}
    assert waste_from_layers("img", layers).total_bytes == 0


def test_a_hard_link_is_judged_by_its_own_name():
    # RUN echo 'DB_HOST=db' > /a.txt && mkdir /app && ln /a.txt /app/.env: the tar holds a.txt, then app/.env as a link
    layer = tar_layer(("a.txt", "file", b"DB_HOST=db\n"), ("app/", "dir", None), ("app/.env", "hardlink", "a.txt"), examine=_look_for_secrets)
    table = secrets_from_layers("img", {"Config": {}}, [layer])
    assert table[["where", "visible_in_final_filesystem"]].values.tolist() == [["/app/.env", True]]
    assert "environment file" in table["what"].iloc[0]
    # and the other way round: a key file hard-linked under a harmless name keeps its content finding only
    layer = tar_layer(("etc/x.conf", "file", b"DB_HOST=db\n"), ("root/", "dir", None), ("root/.netrc", "hardlink", "etc/x.conf"),
                      ("root/.npmrc", "hardlink", "etc/x.conf"), examine=_look_for_secrets)
    assert sorted(layer.examined) == ["/root/.netrc", "/root/.npmrc"]


def test_setuid_is_a_property_of_the_file_under_every_hard_link():
    # RUN cp /bin/busybox /xsu && chmod 4755 /xsu && ln /xsu /ysu: a container's `find / -perm /6000 -type f` lists both
    from dockerlab.security import audit_from_layers

    inspect = {"Config": {}, "Created": "2026-01-01T00:00:00Z"}
    layer = tar_layer(("xsu", 0o4755, b"\x7fELF"), ("ysu", "hardlink", "xsu"))
    assert audit_from_layers("img", inspect, [layer])["setuid_setgid_paths"] == ["/xsu", "/ysu"]
    # one name deleted later: the other still is a setuid file
    gone = LayerFiles("RUN rm /xsu", whiteouts=["/xsu"])
    assert audit_from_layers("img", inspect, [layer, gone])["setuid_setgid_paths"] == ["/ysu"]


def test_a_removed_symlink_or_empty_file_is_not_an_offender():
    # #22 minor: a later layer removing a symlink (or an empty file) wastes 0 bytes: no 0-byte offender row
    first = tar_layer(("sl", "symlink", "/etc"), ("empty", "file", b""), ("big", "file", b"x" * 3000))
    first.instruction = "RUN ln -s /etc /sl && touch /empty && head -c 3000 ... > /big"
    second = tar_layer((".wh.sl", "file", b""), (".wh.empty", "file", b""), (".wh.big", "file", b""))
    second.instruction = "RUN rm /sl /empty /big"
    waste = waste_from_layers("img", [first, second])
    assert list(waste.offenders["path"]) == ["/big"] and waste.total_bytes == 3000
