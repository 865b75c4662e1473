// Prints the platform it was compiled for; with a number N, also times N rounds of integer work
// (the same program, native or emulated, so the two times compare).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	fmt.Printf("hello from %s/%s\n", runtime.GOOS, runtime.GOARCH)
	if len(os.Args) < 2 {
		return
	}
	rounds, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Println("usage: hello [rounds]")
		os.Exit(2)
	}
	started := time.Now()
	var x uint64 = 1
	for i := 0; i < rounds; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	fmt.Printf("%d rounds in %.6f s (%d)\n", rounds, time.Since(started).Seconds(), x%10)
}
