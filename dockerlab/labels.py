"""The labels dockerlab puts on everything it creates, so it can find and remove it."""

COURSE_LABEL = "org.dockerlab.course"
COURSE_LABELS = {COURSE_LABEL: "1"}
COURSE_FILTER = f"{COURSE_LABEL}=1"
STANDIN_LABEL = "org.dockerlab.standin"
STANDIN_FOR_LABEL = "org.dockerlab.standin-for"
DESCRIPTION_LABEL = "org.opencontainers.image.description"
