package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// envFlags is a flag set whose flags each have an environment-variable equivalent
// (FEDCOST_<NAME>, dashes as underscores). A flag given on the command line wins over its
// variable; the variable wins over the default.
type envFlags struct {
	fs    *flag.FlagSet
	envs  map[string]string
	order []string
}

func newEnvFlags(name string, out io.Writer) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return &envFlags{fs: fs, envs: map[string]string{}}
}

// EnvName is the environment variable of a flag.
func envName(flagName string) string {
	return "FEDCOST_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (e *envFlags) add(name string) string {
	e.envs[name] = envName(name)
	e.order = append(e.order, name)
	return e.envs[name]
}

func (e *envFlags) String(p *string, name, def, usage string) {
	e.add(name)
	e.fs.StringVar(p, name, def, usage)
}

func (e *envFlags) Int(p *int, name string, def int, usage string) {
	e.add(name)
	e.fs.IntVar(p, name, def, usage)
}

func (e *envFlags) Int64(p *int64, name string, def int64, usage string) {
	e.add(name)
	e.fs.Int64Var(p, name, def, usage)
}

func (e *envFlags) Bool(p *bool, name string, def bool, usage string) {
	e.add(name)
	e.fs.BoolVar(p, name, def, usage)
}

// Duration accepts Go durations (90m, 48h) and whole days (15d).
func (e *envFlags) Duration(p *time.Duration, name string, def time.Duration, usage string) {
	e.add(name)
	*p = def
	e.fs.Var((*durationValue)(p), name, usage)
}

type durationValue time.Duration

func (d *durationValue) String() string { return formatDuration(time.Duration(*d)) }

func (d *durationValue) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = durationValue(v)
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: want a duration such as 90m, 48h or 15d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration such as 90m, 48h or 15d", s)
	}
	return v, nil
}

func formatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// Parse parses args, then fills every flag not on the command line from its environment
// variable. Errors name the flag or the variable.
func (e *envFlags) Parse(args []string, getenv func(string) string) error {
	if err := e.fs.Parse(args); err != nil {
		return err
	}
	if e.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", e.fs.Arg(0))
	}
	given := map[string]bool{}
	e.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	names := make([]string, 0, len(e.envs))
	for n := range e.envs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if given[n] {
			continue
		}
		if v := getenv(e.envs[n]); v != "" {
			if err := e.fs.Set(n, v); err != nil {
				return fmt.Errorf("%s=%q: %w", e.envs[n], v, err)
			}
		}
	}
	return nil
}

// Usage prints a header and every flag with its variable and default, in definition order.
func (e *envFlags) Usage(header string) func() {
	return func() {
		w := e.fs.Output()
		fmt.Fprint(w, header)
		fmt.Fprintln(w, "\nFlags (each can also be set by the environment variable shown; the flag wins):")
		for _, n := range e.order {
			f := e.fs.Lookup(n)
			def := ""
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
				def = " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(w, "  --%s  [$%s]%s\n      %s\n", n, e.envs[n], def, f.Usage)
		}
	}
}
