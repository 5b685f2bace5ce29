package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/hallq/hallq/staff"
)

// hashPassword reads a password from stdin and prints a bcrypt hash for a
// config file's staff password_hash or a device secret.
func hashPassword(args []string) error {
	if len(args) > 0 {
		return &usageError{"usage: echo PASSWORD | hallqd hash-password"}
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	h, err := staff.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	fmt.Println(h)
	return nil
}
