"""builder._discard_unreported without an engine: the images an interrupted classic build committed that its stream named
no id of (a base image's ONBUILD triggers) are removed children first, whatever order the engine lists them in (its
`Created` is whole seconds: a trigger image and its child often share one, as a verifier saw in session 13)."""
import docker.errors

from dockerlab import builder


class FakeApi:
    def __init__(self, images, containers_of):
        self.listed = images  # as GET /images/json gives them
        self.containers_of = containers_of  # image id -> the container it was committed from
        self.removed = []

    def images(self, all=False):
        return [image for image in self.listed if image["Id"] not in self.removed]

    def inspect_image(self, image_id):
        return {"Container": self.containers_of.get(image_id, ""), "RepoTags": []}

    def containers(self, all=False, filters=None):
        return []

    def remove_image(self, image_id, noprune=False):
        if any(image["ParentId"] == image_id and image["Id"] not in self.removed for image in self.listed):
            raise docker.errors.APIError("conflict: unable to delete (cannot be forced) - image has dependent child images")
        self.removed.append(image_id)


class FakeClient:
    def __init__(self, api):
        self.api = api


def test_trigger_images_listed_child_first_in_the_same_second_are_all_removed():
    base, first, second, other = "sha256:" + "b" * 64, "sha256:" + "1" * 64, "sha256:" + "2" * 64, "sha256:" + "9" * 64
    listed = [  # the child first: both committed in the same second
        {"Id": second, "ParentId": first, "Created": 100, "RepoTags": ["<none>:<none>"]},
        {"Id": first, "ParentId": base, "Created": 100, "RepoTags": ["<none>:<none>"]},
        {"Id": other, "ParentId": base, "Created": 100, "RepoTags": ["<none>:<none>"]},  # another process's, same base
    ]
    api = FakeApi(listed, {first: "c1" + "0" * 62, second: "c2" + "0" * 62, other: "c9" + "0" * 62})
    parser = builder.BuildStreamParser()
    parser.containers = ["c1" + "0" * 10, "c2" + "0" * 10]  # `Running in ...` lines the stream named
    removed = builder._discard_unreported(FakeClient(api), parser, before={base})
    assert removed == [second, first] and other not in api.removed
