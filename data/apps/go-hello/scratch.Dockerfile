# The seed's multi-stage build with a static binary and an empty runner: nothing but the program.
FROM golang:1.21 AS builder
WORKDIR /app
COPY . .
RUN CGO_ENABLED=0 go build -o myapp main.go

FROM scratch
COPY --from=builder /app/myapp /myapp
USER 65532
EXPOSE 8080
CMD ["/myapp"]
