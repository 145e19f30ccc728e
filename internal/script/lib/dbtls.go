package lib

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// MySQL over TLS: the connection-string keys (ssl_mode, sslca, sslcert, sslkey and the driver's
// own tls parameter), the tls.Config they make, and error messages that name the server and
// the mode.

// mysqlConnector puts the server's address and the TLS mode into the
// driver's bare TLS errors ("server does not support TLS", a certificate
// that does not verify), on the first connection and every later one.
type mysqlConnector struct {
	driver.Connector
	addr string
	mode sslMode
}

func (c mysqlConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if errors.Is(err, mysql.ErrNoTLS) {
		return nil, fmt.Errorf("the MySQL server at %s does not support TLS, which ssl_mode=%s requires: enable TLS on the server, or use ssl_mode=preferred to accept a plain-text connection (%w)", c.addr, c.mode, err)
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return nil, fmt.Errorf("the MySQL server at %s failed the ssl_mode=%s certificate check: %w", c.addr, c.mode, err)
	}
	return conn, err
}

// sslMode is how a MySQL connection uses TLS, named as in the MySQL
// client's --ssl-mode.
type sslMode int

const (
	sslUnset sslMode = iota
	sslDisabled
	sslPreferred
	sslRequired
	sslVerifyCA
	sslVerifyIdentity
)

func (m sslMode) String() string {
	switch m {
	case sslDisabled:
		return "disabled"
	case sslPreferred:
		return "preferred"
	case sslRequired:
		return "required"
	case sslVerifyCA:
		return "verify_ca"
	case sslVerifyIdentity:
		return "verify_identity"
	}
	return "unset"
}

// parseSSLMode reads a mode in any case, with '-' or '_', and the libpq
// spellings operators often type by habit.
func parseSSLMode(v string) (sslMode, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v)), "-", "_") {
	case "disabled", "disable":
		return sslDisabled, nil
	case "preferred", "prefer":
		return sslPreferred, nil
	case "required", "require":
		return sslRequired, nil
	case "verify_ca":
		return sslVerifyCA, nil
	case "verify_identity", "verify_full":
		return sslVerifyIdentity, nil
	}
	return sslUnset, errors.New("not a TLS mode: use disabled, preferred, required, verify_ca or verify_identity")
}

// mysqlTLSKeys are the TLS settings of a MySQL connection string; the
// file names are relative to the server folder.
type mysqlTLSKeys struct {
	mode          sslMode
	ca, cert, key string
}

// set stores the value of a TLS key that both connection string forms share (sslca, sslcert,
// sslkey, ssl_mode and its spellings); known is false for any other key.
func (keys *mysqlTLSKeys) set(k, v string) (known bool, err error) {
	switch k {
	case "sslca":
		keys.ca = v
	case "sslcert":
		keys.cert = v
	case "sslkey":
		keys.key = v
	case "ssl_mode", "ssl-mode", "sslmode":
		m, err := parseSSLMode(v)
		if err != nil {
			return true, fmt.Errorf("%s=%q: %w", k, v, err)
		}
		keys.mode = m
	default:
		return false, nil
	}
	return true, nil
}

// takeDSNTLSKeys removes the TLS parameters from the query part of a
// go-sql-driver DSN: tls (the driver's values and the modes above),
// sslca, sslcert, sslkey and ssl_mode. What is left goes to the driver.
func takeDSNTLSKeys(dsn string) (string, mysqlTLSKeys, error) {
	var keys mysqlTLSKeys
	// Like the driver: the parameters follow the first '?' after the last '/'.
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return dsn, keys, nil
	}
	q := strings.IndexByte(dsn[slash+1:], '?')
	if q < 0 {
		return dsn, keys, nil
	}
	q += slash + 1
	var kept []string
	for _, p := range strings.Split(dsn[q+1:], "&") {
		k, raw, _ := strings.Cut(p, "=")
		lk := strings.ToLower(k)
		switch lk {
		case "tls", "sslca", "sslcert", "sslkey", "ssl_mode", "ssl-mode", "sslmode":
		default:
			kept = append(kept, p)
			continue
		}
		v, err := url.QueryUnescape(raw)
		if err != nil {
			return "", keys, fmt.Errorf("invalid MySQL DSN: %s=%q is not URL-escaped correctly: %w", k, raw, err)
		}
		if lk != "tls" {
			if _, err := keys.set(lk, v); err != nil {
				return "", keys, fmt.Errorf("invalid MySQL DSN: %w", err)
			}
			continue
		}
		// The driver's own values keep their meaning: true checks the certificate and
		// host, skip-verify checks nothing.
		switch strings.ToLower(v) {
		case "true", "1":
			keys.mode = sslVerifyIdentity
		case "false", "0":
			keys.mode = sslDisabled
		case "skip-verify":
			keys.mode = sslRequired
		default:
			m, err := parseSSLMode(v)
			if err != nil {
				return "", keys, fmt.Errorf("invalid MySQL DSN: tls=%q is not a TLS mode: use true, false, skip-verify, preferred, or disabled, required, verify-ca, verify-identity", v)
			}
			keys.mode = m
		}
	}
	out := dsn[:q]
	if len(kept) > 0 {
		out += "?" + strings.Join(kept, "&")
	}
	return out, keys, nil
}

// build resolves the mode and makes the driver's TLS config (nil for a
// plain-text connection). host is the server's name or address, "" for a
// Unix socket; root is the server folder the files are read from.
func (k mysqlTLSKeys) build(host, root string, defaultMode sslMode) (sslMode, *tls.Config, error) {
	mode := k.mode
	if mode == sslUnset {
		switch {
		case k.ca != "":
			mode = sslVerifyCA // a CA is given to check the server against
		case k.cert != "" || k.key != "":
			mode = sslRequired // a client certificate only travels over TLS
		default:
			mode = defaultMode
		}
	}
	if mode == sslDisabled {
		for _, f := range []struct{ key, val string }{{"sslca", k.ca}, {"sslcert", k.cert}, {"sslkey", k.key}} {
			if f.val != "" {
				return mode, nil, fmt.Errorf("%s=%q is set but ssl_mode=disabled turns TLS off: remove one of them", f.key, f.val)
			}
		}
		return mode, nil, nil
	}
	if mode == sslPreferred && host == "" && k.ca == "" && k.cert == "" && k.key == "" {
		// A local socket gains nothing from encryption; the MySQL client
		// does not try TLS on it either unless asked to.
		return mode, nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.ca != "" {
		pool, err := loadCAFile(root, k.ca)
		if err != nil {
			return mode, nil, err
		}
		cfg.RootCAs = pool
	}
	if k.cert != "" || k.key != "" {
		pair, err := loadClientPair(root, k.cert, k.key)
		if err != nil {
			return mode, nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	switch {
	case mode == sslVerifyIdentity:
		if host == "" {
			return mode, nil, errors.New("ssl_mode=verify_identity checks the server's host name, but a unix_socket has none: connect with host= or use ssl_mode=verify_ca")
		}
		cfg.ServerName = host
	case mode == sslVerifyCA || k.ca != "":
		// Check the chain but not the name; a CA that was given is never
		// ignored, even by preferred or required.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(cfg.RootCAs, k.ca)
	default:
		cfg.InsecureSkipVerify = true // preferred and required encrypt without checking
	}
	return mode, cfg, nil
}

// verifyChainOnly checks that the server's certificate chains to roots (the
// system's when nil) without comparing its names with the host.
func verifyChainOnly(roots *x509.CertPool, caFile string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the MySQL server sent no TLS certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			against := "the system's certificate authorities"
			if caFile != "" {
				against = "sslca=" + strconv.Quote(caFile)
			}
			return fmt.Errorf("the MySQL server's certificate does not verify against %s: %w", against, err)
		}
		return nil
	}
}

// readTLSFile reads a file named by a TLS key, confined to the server
// folder like every file a script names.
func readTLSFile(root, key, name string) ([]byte, string, error) {
	full, err := ConfinePath(root, name)
	if err != nil {
		return nil, "", fmt.Errorf("%s=%q: %w", key, name, err)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, "", fmt.Errorf("%s=%q: cannot read the file: %w", key, name, err)
	}
	return data, full, nil
}

func loadCAFile(root, name string) (*x509.CertPool, error) {
	data, full, err := readTLSFile(root, "sslca", name)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("sslca=%q (%s): no PEM certificate in the file: give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)", name, full)
	}
	return pool, nil
}

// loadClientPair reads the client certificate and its key; without
// sslkey the key is looked for in the sslcert file.
func loadClientPair(root, certName, keyName string) (tls.Certificate, error) {
	if certName == "" {
		return tls.Certificate{}, fmt.Errorf("sslkey=%q is set without sslcert: give the client certificate that goes with the key", keyName)
	}
	certPEM, certFull, err := readTLSFile(root, "sslcert", certName)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !hasPEMBlock(certPEM, "CERTIFICATE") {
		return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s): no PEM certificate in the file", certName, certFull)
	}
	if keyName == "" {
		if !hasPEMBlock(certPEM, "PRIVATE KEY") {
			return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s) holds no private key: give the key file with sslkey=", certName, certFull)
		}
		pair, err := tls.X509KeyPair(certPEM, certPEM)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s): the certificate and the key in it do not form a pair: %w", certName, certFull, err)
		}
		return pair, nil
	}
	keyPEM, keyFull, err := readTLSFile(root, "sslkey", keyName)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !hasPEMBlock(keyPEM, "PRIVATE KEY") {
		return tls.Certificate{}, fmt.Errorf("sslkey=%q (%s): no PEM private key in the file", keyName, keyFull)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s) and sslkey=%q (%s) do not form a pair: %w", certName, certFull, keyName, keyFull, err)
	}
	return pair, nil
}

// hasPEMBlock reports whether data holds a PEM block whose type ends in
// kind ("PRIVATE KEY" matches RSA, EC and PKCS #8 keys).
func hasPEMBlock(data []byte, kind string) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if strings.HasSuffix(b.Type, kind) {
			return true
		}
	}
}
