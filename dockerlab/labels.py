"""The labels dockerlab puts on everything it creates, so it can find and remove it."""

COURSE_LABEL = "org.dockerlab.course"
COURSE_LABELS = {COURSE_LABEL: "1"}
COURSE_FILTER = f"{COURSE_LABEL}=1"
STANDIN_LABEL = "org.dockerlab.standin"
STANDIN_FOR_LABEL = "org.dockerlab.standin-for"
DESCRIPTION_LABEL = "org.opencontainers.image.description"
# Only on the containers, networks and volumes the course itself creates, never on an image: a
# container started by hand from a course image inherits COURSE_LABELS from the image, not this.
CREATED_LABEL = "org.dockerlab.created"
CREATED_LABELS = {**COURSE_LABELS, CREATED_LABEL: "1"}
CREATED_FILTER = f"{CREATED_LABEL}=1"
