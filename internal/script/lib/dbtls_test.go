package lib

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test; nothing is committed.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key}
}

// issue signs a leaf for a server (names become DNS or IP SANs) or a
// client, returning the certificate and key in PEM.
func (ca *testCA) issue(t *testing.T, cn string, client bool, names ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func (ca *testCA) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

func writeTestFile(t *testing.T, root, name string, data []byte) {
	t.Helper()
	full := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsFixture is a server folder with certs/ca.pem, a client pair signed by
// it (certs/client.pem, certs/client.key, and both in certs/combined.pem)
// and an unrelated CA in certs/other-ca.pem.
type tlsFixture struct {
	root          string
	ca, other     *testCA
	clientCertPEM []byte
}

func newTLSFixture(t *testing.T) *tlsFixture {
	t.Helper()
	f := &tlsFixture{root: t.TempDir(), ca: newTestCA(t, "nanoforge test CA"), other: newTestCA(t, "unrelated CA")}
	certPEM, keyPEM := f.ca.issue(t, "nanoforge-test-client", true)
	f.clientCertPEM = certPEM
	writeTestFile(t, f.root, "certs/ca.pem", f.ca.pem())
	writeTestFile(t, f.root, "certs/other-ca.pem", f.other.pem())
	writeTestFile(t, f.root, "certs/client.pem", certPEM)
	writeTestFile(t, f.root, "certs/client.key", keyPEM)
	writeTestFile(t, f.root, "certs/combined.pem", append(append([]byte{}, certPEM...), keyPEM...))
	return f
}

func TestParseSSLMode(t *testing.T) {
	for in, want := range map[string]sslMode{
		"disabled": sslDisabled, "DISABLED": sslDisabled, "disable": sslDisabled,
		"preferred": sslPreferred, "PREFERRED": sslPreferred, "prefer": sslPreferred,
		"required": sslRequired, "REQUIRED": sslRequired, "require": sslRequired,
		"verify_ca": sslVerifyCA, "VERIFY_CA": sslVerifyCA, "verify-ca": sslVerifyCA,
		"verify_identity": sslVerifyIdentity, "verify-identity": sslVerifyIdentity, "verify-full": sslVerifyIdentity,
	} {
		if got, err := parseSSLMode(in); err != nil || got != want {
			t.Errorf("parseSSLMode(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseSSLMode("sometimes"); err == nil || !strings.Contains(err.Error(), "verify_identity") {
		t.Errorf("parseSSLMode(sometimes) error = %v, want the list of modes", err)
	}
}

func TestMySQLTLSConfigModes(t *testing.T) {
	f := newTLSFixture(t)
	wantPool := x509.NewCertPool()
	wantPool.AddCert(f.ca.cert)

	t.Run("no keys: preferred without checks", func(t *testing.T) {
		mode, cfg, err := mysqlTLSKeys{}.build("db.example", f.root, sslPreferred)
		if err != nil || mode != sslPreferred || cfg == nil || !cfg.InsecureSkipVerify || cfg.VerifyConnection != nil {
			t.Fatalf("build = %v, %+v, %v; want preferred, unchecked TLS", mode, cfg, err)
		}
	})
	t.Run("no keys in DSN form: plain text", func(t *testing.T) {
		mode, cfg, err := mysqlTLSKeys{}.build("db.example", f.root, sslDisabled)
		if err != nil || mode != sslDisabled || cfg != nil {
			t.Fatalf("build = %v, %+v, %v; want disabled, no TLS", mode, cfg, err)
		}
	})
	t.Run("preferred on a unix socket: plain text", func(t *testing.T) {
		mode, cfg, err := mysqlTLSKeys{}.build("", f.root, sslPreferred)
		if err != nil || mode != sslPreferred || cfg != nil {
			t.Fatalf("build = %v, %+v, %v; want no TLS on a socket", mode, cfg, err)
		}
	})
	t.Run("required on a unix socket: TLS", func(t *testing.T) {
		_, cfg, err := mysqlTLSKeys{mode: sslRequired}.build("", f.root, sslPreferred)
		if err != nil || cfg == nil {
			t.Fatalf("build = %+v, %v; want TLS", cfg, err)
		}
	})
	t.Run("sslca alone: verify_ca with the CA loaded", func(t *testing.T) {
		mode, cfg, err := mysqlTLSKeys{ca: "certs/ca.pem"}.build("db.example", f.root, sslPreferred)
		if err != nil {
			t.Fatal(err)
		}
		if mode != sslVerifyCA || cfg.RootCAs == nil || !cfg.RootCAs.Equal(wantPool) {
			t.Fatalf("mode %v, RootCAs %v; want verify_ca with certs/ca.pem", mode, cfg.RootCAs)
		}
		if !cfg.InsecureSkipVerify || cfg.VerifyConnection == nil {
			t.Fatal("verify_ca must check the chain itself (the name check is skipped)")
		}
	})
	t.Run("required with sslca still checks the chain", func(t *testing.T) {
		_, cfg, err := mysqlTLSKeys{mode: sslRequired, ca: "certs/ca.pem"}.build("db.example", f.root, sslPreferred)
		if err != nil || cfg.VerifyConnection == nil {
			t.Fatalf("build = %+v, %v; want a chain check", cfg, err)
		}
	})
	t.Run("required without sslca checks nothing", func(t *testing.T) {
		_, cfg, err := mysqlTLSKeys{mode: sslRequired}.build("db.example", f.root, sslPreferred)
		if err != nil || !cfg.InsecureSkipVerify || cfg.VerifyConnection != nil {
			t.Fatalf("build = %+v, %v; want unchecked TLS", cfg, err)
		}
	})
	t.Run("verify_identity checks the host name", func(t *testing.T) {
		_, cfg, err := mysqlTLSKeys{mode: sslVerifyIdentity, ca: "certs/ca.pem"}.build("db.example", f.root, sslPreferred)
		if err != nil || cfg.InsecureSkipVerify || cfg.ServerName != "db.example" || !cfg.RootCAs.Equal(wantPool) {
			t.Fatalf("build = %+v, %v; want the standard check against db.example", cfg, err)
		}
	})
	t.Run("verify_identity on a unix socket is refused", func(t *testing.T) {
		_, _, err := mysqlTLSKeys{mode: sslVerifyIdentity}.build("", f.root, sslPreferred)
		if err == nil || !strings.Contains(err.Error(), "unix_socket") {
			t.Fatalf("error = %v, want one about the socket having no host name", err)
		}
	})
	for _, keys := range []mysqlTLSKeys{
		{cert: "certs/client.pem", key: "certs/client.key"},
		{cert: "certs/combined.pem"},
	} {
		t.Run("client pair "+keys.cert, func(t *testing.T) {
			mode, cfg, err := keys.build("db.example", f.root, sslPreferred)
			if err != nil {
				t.Fatal(err)
			}
			if mode != sslRequired {
				t.Errorf("mode = %v, want required (a client certificate implies TLS)", mode)
			}
			block, _ := pem.Decode(f.clientCertPEM)
			if len(cfg.Certificates) != 1 || string(cfg.Certificates[0].Certificate[0]) != string(block.Bytes) {
				t.Fatalf("client certificate not loaded: %d certificates", len(cfg.Certificates))
			}
		})
	}
}

func TestMySQLTLSConfigFileErrors(t *testing.T) {
	f := newTLSFixture(t)
	writeTestFile(t, f.root, "certs/garbage.pem", []byte("not a certificate\n"))
	otherCert, otherKey := f.other.issue(t, "someone else", true)
	writeTestFile(t, f.root, "certs/other.pem", otherCert)
	writeTestFile(t, f.root, "certs/other.key", otherKey)
	cases := []struct {
		keys mysqlTLSKeys
		want []string // every piece must be in the message
	}{
		{mysqlTLSKeys{ca: "certs/missing.pem"}, []string{`sslca="certs/missing.pem"`, "missing.pem", "cannot read"}},
		{mysqlTLSKeys{ca: "certs/garbage.pem"}, []string{`sslca="certs/garbage.pem"`, filepath.Join(f.root, "certs", "garbage.pem"), "no PEM certificate"}},
		{mysqlTLSKeys{ca: "certs/client.key"}, []string{`sslca="certs/client.key"`, "no PEM certificate"}},
		{mysqlTLSKeys{ca: "../ca.pem"}, []string{`sslca="../ca.pem"`, "leaves the server folder"}},
		{mysqlTLSKeys{ca: "/etc/ssl/ca.pem"}, []string{`sslca="/etc/ssl/ca.pem"`, "absolute"}},
		{mysqlTLSKeys{cert: "certs/missing.pem", key: "certs/client.key"}, []string{`sslcert="certs/missing.pem"`, "cannot read"}},
		{mysqlTLSKeys{cert: "certs/garbage.pem", key: "certs/client.key"}, []string{`sslcert="certs/garbage.pem"`, "no PEM certificate"}},
		{mysqlTLSKeys{cert: "certs/client.pem", key: "certs/missing.key"}, []string{`sslkey="certs/missing.key"`, "missing.key", "cannot read"}},
		{mysqlTLSKeys{cert: "certs/client.pem", key: "certs/garbage.pem"}, []string{`sslkey="certs/garbage.pem"`, "no PEM private key"}},
		{mysqlTLSKeys{cert: "certs/client.pem", key: "certs/other.key"}, []string{`sslcert="certs/client.pem"`, `sslkey="certs/other.key"`, "do not form a pair"}},
		{mysqlTLSKeys{cert: "certs/client.pem"}, []string{`sslcert="certs/client.pem"`, "no private key", "sslkey="}},
		{mysqlTLSKeys{key: "certs/client.key"}, []string{`sslkey="certs/client.key"`, "without sslcert"}},
		{mysqlTLSKeys{mode: sslDisabled, ca: "certs/ca.pem"}, []string{`sslca="certs/ca.pem"`, "ssl_mode=disabled"}},
	}
	for _, c := range cases {
		_, _, err := c.keys.build("db.example", f.root, sslPreferred)
		if err == nil {
			t.Errorf("%+v: no error", c.keys)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not contain %q", c.keys, err, w)
			}
		}
	}
	// Without a server folder no file can be named at all.
	if _, _, err := (mysqlTLSKeys{ca: "certs/ca.pem"}).build("db.example", "", sslPreferred); err == nil || !strings.Contains(err.Error(), "sslca") {
		t.Errorf("no server folder: error = %v, want one naming sslca", err)
	}
}

func TestTakeDSNTLSKeys(t *testing.T) {
	rest, keys, err := takeDSNTLSKeys("u:p/w@tcp(db:3306)/game?charset=utf8mb4&tls=verify-ca&sslca=certs%2Fca.pem&sslcert=certs%2Fc.pem&sslkey=certs%2Fc.key&loc=UTC")
	if err != nil {
		t.Fatal(err)
	}
	if rest != "u:p/w@tcp(db:3306)/game?charset=utf8mb4&loc=UTC" {
		t.Errorf("rest = %q", rest)
	}
	if (keys != mysqlTLSKeys{mode: sslVerifyCA, ca: "certs/ca.pem", cert: "certs/c.pem", key: "certs/c.key"}) {
		t.Errorf("keys = %+v", keys)
	}
	for tlsValue, want := range map[string]sslMode{
		"true": sslVerifyIdentity, "false": sslDisabled, "skip-verify": sslRequired, "preferred": sslPreferred,
		"required": sslRequired, "verify-identity": sslVerifyIdentity, "disabled": sslDisabled,
	} {
		rest, keys, err := takeDSNTLSKeys("root@tcp(127.0.0.1:3306)/test?tls=" + tlsValue)
		if err != nil || keys.mode != want || rest != "root@tcp(127.0.0.1:3306)/test" {
			t.Errorf("tls=%s: %q, %v, %v; want mode %v", tlsValue, rest, keys.mode, err, want)
		}
	}
	if _, keys, err := takeDSNTLSKeys("root@tcp(127.0.0.1:3306)/test?ssl-mode=REQUIRED"); err != nil || keys.mode != sslRequired {
		t.Errorf("ssl-mode=REQUIRED: %v, %v", keys.mode, err)
	}
	if _, _, err := takeDSNTLSKeys("root@tcp(127.0.0.1:3306)/test?tls=custom"); err == nil || !strings.Contains(err.Error(), `tls="custom"`) {
		t.Errorf("tls=custom: error = %v, want one naming the value", err)
	}
	if rest, _, err := takeDSNTLSKeys("root@tcp(127.0.0.1:3306)/test"); err != nil || rest != "root@tcp(127.0.0.1:3306)/test" {
		t.Errorf("no parameters: %q, %v", rest, err)
	}
}

// fakeMySQL is a loopback listener that speaks just enough of the MySQL
// handshake to show whether a client starts TLS, and with what: it offers
// TLS when tlsCfg is set (except on its first plainFirst connections), then
// answers the login with an error.
type fakeMySQL struct {
	addr   string
	events chan fakeEvent
}

type fakeEvent struct {
	hungUp     bool   // the client closed without answering the greeting
	tls        bool   // the client asked for TLS
	err        error  // the server-side TLS handshake's result
	clientCert string // the client certificate's common name, if any
}

const fakeLoginRefused = "fake server: login refused after the handshake"

func startFakeMySQL(t *testing.T, tlsCfg *tls.Config, plainFirst int) *fakeMySQL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &fakeMySQL{addr: ln.Addr().String(), events: make(chan fakeEvent, 16)}
	go func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if n < plainFirst {
				go s.serve(c, nil)
			} else {
				go s.serve(c, tlsCfg)
			}
		}
	}()
	return s
}

func (s *fakeMySQL) serve(c net.Conn, tlsCfg *tls.Config) {
	defer c.Close()
	const (
		capLongPassword = 1 << 0
		capProtocol41   = 1 << 9
		capSSL          = 1 << 11
		capSecureConn   = 1 << 15
		capPluginAuth   = 1 << 19
	)
	caps := uint32(capLongPassword | capProtocol41 | capSecureConn | capPluginAuth)
	if tlsCfg != nil {
		caps |= capSSL
	}
	p := []byte{10}
	p = append(p, "5.7.99-fake\x00"...)
	p = append(p, 1, 0, 0, 0)
	p = append(p, "abcdefgh"...)
	p = append(p, 0)
	p = binary.LittleEndian.AppendUint16(p, uint16(caps))
	p = append(p, 33, 2, 0)
	p = binary.LittleEndian.AppendUint16(p, uint16(caps>>16))
	p = append(p, 21)
	p = append(p, make([]byte, 10)...)
	p = append(p, "ijklmnopqrst\x00"...)
	p = append(p, "mysql_native_password\x00"...)
	var conn io.ReadWriter = c
	if err := writeFakePacket(conn, 0, p); err != nil {
		s.events <- fakeEvent{hungUp: true, err: err}
		return
	}
	seq, payload, err := readFakePacket(conn)
	if err != nil || len(payload) < 4 {
		s.events <- fakeEvent{hungUp: true, err: err}
		return
	}
	ev := fakeEvent{tls: binary.LittleEndian.Uint32(payload)&capSSL != 0}
	if ev.tls {
		tc := tls.Server(c, tlsCfg)
		ev.err = tc.Handshake()
		if ev.err == nil {
			if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 {
				ev.clientCert = pc[0].Subject.CommonName
			}
			conn = tc
			seq, _, err = readFakePacket(conn) // the login, now encrypted
			if err != nil {
				ev.err = err
			}
		}
	}
	s.events <- ev
	if ev.err != nil {
		return
	}
	refusal := []byte{0xff}
	refusal = binary.LittleEndian.AppendUint16(refusal, 1045)
	refusal = append(refusal, "#28000"+fakeLoginRefused...)
	_ = writeFakePacket(conn, seq+1, refusal)
}

func writeFakePacket(w io.Writer, seq byte, payload []byte) error {
	h := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), seq}
	_, err := w.Write(append(h, payload...))
	return err
}

func readFakePacket(r io.Reader) (byte, []byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	payload := make([]byte, int(h[0])|int(h[1])<<8|int(h[2])<<16)
	_, err := io.ReadFull(r, payload)
	return h[3], payload, err
}

// serverTLS is a fake server's TLS setup: a certificate from ca for names,
// and client certificates from ca required.
func serverTLS(t *testing.T, ca *testCA, names ...string) *tls.Config {
	t.Helper()
	certPEM, keyPEM := ca.issue(t, "fake mysql", false, names...)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven}
}

func TestMySQLTLSHandshake(t *testing.T) {
	f := newTLSFixture(t)
	good := serverTLS(t, f.ca, "127.0.0.1", "mysql.test")
	misnamed := serverTLS(t, f.ca, "elsewhere.test")
	nanos := func(extra string) func(addr string) string {
		return func(addr string) string {
			host, port, _ := net.SplitHostPort(addr)
			return "host=" + host + " port=" + port + " user=u db=d connect_timeout=10 " + extra
		}
	}
	dsn := func(params string) func(addr string) string {
		return func(addr string) string { return "u@tcp(" + addr + ")/d?timeout=10s&" + params }
	}
	cases := []struct {
		name       string
		server     *tls.Config // nil: the server does not offer TLS
		conn       func(addr string) string
		wantTLS    bool
		wantCert   string // client certificate the server saw
		wantErr    string // in the client's error
		wantServer bool   // the server-side handshake succeeded
	}{
		{"verify_identity with client pair", good, nanos("ssl_mode=VERIFY_IDENTITY sslca=certs/ca.pem sslcert=certs/client.pem sslkey=certs/client.key"), true, "nanoforge-test-client", fakeLoginRefused, true},
		{"sslca implies verify_ca", misnamed, nanos("sslca=certs/ca.pem"), true, "", fakeLoginRefused, true},
		{"DSN tls=verify-ca", good, dsn("tls=verify-ca&sslca=certs%2Fca.pem&sslcert=certs%2Fcombined.pem"), true, "nanoforge-test-client", fakeLoginRefused, true},
		{"required checks nothing", misnamed, nanos("ssl_mode=required"), true, "", fakeLoginRefused, true},
		{"preferred uses TLS when offered", good, nanos(""), true, "", fakeLoginRefused, true},
		{"unrelated CA is refused", good, nanos("sslca=certs/other-ca.pem"), true, "", `does not verify against sslca="certs/other-ca.pem"`, false},
		{"host name mismatch is refused", misnamed, nanos("ssl_mode=verify_identity sslca=certs/ca.pem"), true, "", "failed the ssl_mode=verify_identity certificate check", false},
		{"preferred falls back to plain text", nil, nanos("ssl_mode=preferred"), false, "", fakeLoginRefused, false},
		{"DSN without tls stays plain", nil, dsn("charset=utf8mb4"), false, "", fakeLoginRefused, false},
		{"required against a plain server", nil, nanos("ssl_mode=required"), false, "", "does not support TLS", false},
		{"DSN tls=true against a plain server", nil, dsn("tls=true"), false, "", "does not support TLS", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			server := startFakeMySQL(t, c.server, 0)
			db, err := OpenDB(context.Background(), EngineMySQL, c.conn(server.addr), 1, f.root)
			if err == nil {
				db.Close()
				t.Fatal("OpenDB succeeded against the fake server")
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, c.wantErr)
			}
			ev := <-server.events
			if c.wantErr == "does not support TLS" {
				if !strings.Contains(err.Error(), server.addr) {
					t.Errorf("error = %v, want it to name the server %s", err, server.addr)
				}
				if !ev.hungUp {
					t.Errorf("the client went on (%+v), want it to hang up after the greeting", ev)
				}
				return
			}
			if ev.hungUp {
				t.Fatalf("the client hung up after the greeting: %v", ev.err)
			}
			if ev.tls != c.wantTLS {
				t.Fatalf("client asked for TLS = %v, want %v", ev.tls, c.wantTLS)
			}
			if c.wantTLS && (ev.err == nil) != c.wantServer {
				t.Errorf("server handshake error = %v, want success %v", ev.err, c.wantServer)
			}
			if ev.clientCert != c.wantCert {
				t.Errorf("client certificate = %q, want %q", ev.clientCert, c.wantCert)
			}
		})
	}
}

// A server that answered one connection without TLS may offer it on the
// next (after a restart, say): preferred must try TLS again each time.
func TestMySQLTLSPreferredRetriesTLS(t *testing.T) {
	f := newTLSFixture(t)
	server := startFakeMySQL(t, serverTLS(t, f.ca, "127.0.0.1"), 1)
	host, port, _ := net.SplitHostPort(server.addr)
	db, err := openMySQL("host="+host+" port="+port+" user=u ssl_mode=preferred", f.root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, wantTLS := range []bool{false, true} {
		if err := db.PingContext(context.Background()); err == nil || !strings.Contains(err.Error(), fakeLoginRefused) {
			t.Fatalf("connection %d: error = %v, want the fake server's refusal", i+1, err)
		}
		if ev := <-server.events; ev.tls != wantTLS || ev.err != nil {
			t.Errorf("connection %d: TLS = %v (%v), want %v", i+1, ev.tls, ev.err, wantTLS)
		}
	}
}

// mysqlTestDSN is NANOFORGE_TEST_MYSQL with params appended.
func mysqlTestDSN(t *testing.T, params string) string {
	t.Helper()
	dsn := os.Getenv("NANOFORGE_TEST_MYSQL")
	if dsn == "" {
		t.Skip("NANOFORGE_TEST_MYSQL is not set (e.g. root@tcp(127.0.0.1:3306)/test); skipping the MySQL TLS test")
	}
	if strings.Contains(dsn[strings.LastIndexByte(dsn, '/')+1:], "?") {
		return dsn + "&" + params
	}
	return dsn + "?" + params
}

// TestDatabaseMySQLTLSAgainstServer expects the test server to run without
// TLS, as the one .ci/run starts does.
func TestDatabaseMySQLTLSAgainstServer(t *testing.T) {
	conn := mysqlTestConn(t)
	f := newTLSFixture(t)
	probe, err := OpenDB(context.Background(), EngineMySQL, conn+" ssl_mode=disabled", 1, f.root)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := probe.Select(context.Background(), "SELECT @@have_ssl AS have_ssl", nil)
	probe.Close()
	if err != nil || len(rows) != 1 {
		t.Fatalf("SELECT @@have_ssl: %v, %v", rows, err)
	}
	if v := rows[0].Values[0]; v == "YES" {
		t.Skipf("the test server has TLS enabled (have_ssl=%v); this test needs one without", v)
	}

	for _, c := range []string{
		conn + " ssl_mode=required",
		conn + " ssl_mode=verify_ca sslca=certs/ca.pem",
		conn + " sslca=certs/ca.pem",
		mysqlTestDSN(t, "tls=true"),
		mysqlTestDSN(t, "tls=skip-verify"),
	} {
		db, err := OpenDB(context.Background(), EngineMySQL, c, 1, f.root)
		if err == nil {
			db.Close()
			t.Errorf("%s: connected, want an error saying the server does not support TLS", c)
			continue
		}
		if !strings.Contains(err.Error(), "does not support TLS") {
			t.Errorf("%s: error = %v, want one saying the server does not support TLS", c, err)
		}
	}
	for _, c := range []string{
		conn,
		conn + " ssl_mode=preferred",
		conn + " ssl_mode=disabled",
		mysqlTestDSN(t, "tls=preferred"),
		mysqlTestDSN(t, "tls=false"),
	} {
		db, err := OpenDB(context.Background(), EngineMySQL, c, 2, f.root)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		// Several queries, so the pool's connections are used in turn.
		for i := range 3 {
			rows, err := db.Select(context.Background(), "SELECT "+strconv.Itoa(i)+" AS n", nil)
			if err != nil || len(rows) != 1 || rows[0].Values[0] != int64(i) {
				t.Errorf("%s: SELECT %d = %v, %v", c, i, rows, err)
			}
		}
		db.Close()
	}
}
