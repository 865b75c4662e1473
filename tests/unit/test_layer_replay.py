"""Applying layers (dockerlab.layerfs.replay) by each rule of the OCI changeset: directory entries,
opaque markers and hard links read from real tar bytes, then what is visible and what is wasted."""
import io
import tarfile

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
                archive.addfile(info, io.BytesIO(payload))
    buffer.seek(0)
    return _read_layer(LayerBlob("layer.tar", buffer, len(buffer.getvalue()), "none"), True, examine)


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


def test_a_hard_link_carries_its_targets_size_and_findings():
    layer = tar_layer(("root/.ssh/id_rsa", "file", KEY), ("zz_keep", "hardlink", "root/.ssh/id_rsa"), examine=_look_for_secrets)
    assert layer.files["/zz_keep"] == 0 and layer.hardlinks == {"/zz_keep": "/root/.ssh/id_rsa"}
    assert layer.examined["/zz_keep"] == layer.examined["/root/.ssh/id_rsa"]
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
