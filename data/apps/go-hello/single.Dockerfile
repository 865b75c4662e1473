# Single stage: build and run in the Go SDK image. Everything used to build ships too.
FROM golang:1.21
WORKDIR /app
COPY . .
RUN CGO_ENABLED=0 go build -o myapp main.go
EXPOSE 8080
CMD ["./myapp"]
