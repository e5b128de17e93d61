"""Plugins (base/plugin.h): the libraries only AssumeRoleWithSAML
(xmlsec1, libxml2, libxslt, ICU) and CreateVirtualMFADevice (libqrencode,
libpng) need are in <binary>-saml.so and <binary>-qr.so, loaded at the
first such call, so the idle server does not map them (idle RSS 11.1 ->
8.4 MiB, issue: idle RSS back to <= 8.4 MiB). Read from /proc/PID/maps of
the server under test: before this change every one of them was mapped at
start.

A server whose plugins are missing answers an AWS-shaped error naming the
plugin and logs why (STS's and IAM's common errors: InternalFailure and
ServiceFailure, HTTP 500), creates no MFA device it could not give a QR
code, keeps serving, and finds the plugins once they are installed where
the Docker image puts them (<exe dir>/../lib/awsemu/)."""

import json
import os
import shutil
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

import test_sts_saml as saml
from harness import EXTERNAL_URL, REPO, Server, ServerTestCase, binary_path

SAML_LIBS = ("libxmlsec1.so", "libxmlsec1-openssl.so", "libxml2.so", "libxslt.so", "libicuuc.so")
QR_LIBS = ("libqrencode.so", "libpng16.so")


def mapped(pid):
    """The file names (basenames) mapped into process pid."""
    names = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                names.add(os.path.basename(parts[5].strip()))
    return names


def has(names, lib):
    """lib ("libxml2.so") is among names ("libxml2.so.2.9.14")."""
    return any(n == lib or n.startswith(lib + ".") for n in names)


def saml_ready():
    if saml.x509 is None:
        raise unittest.SkipTest("python3-cryptography is not installed")
    if saml.XMLSEC is None:
        raise unittest.SkipTest("the xmlsec1 command (Debian package xmlsec1) is not installed: "
                                "SAML assertions cannot be signed here")


class SamlSetup:
    """A SAML provider and a role trusting it on self.server."""

    def setup_saml(self):
        iam = self.server.client("iam")
        self.idp = saml.Idp("plug-" + uuid.uuid4().hex[:6])
        self.provider = iam.create_saml_provider(
            Name="plug-" + uuid.uuid4().hex[:6],
            SAMLMetadataDocument=self.idp.metadata())["SAMLProviderArn"]
        self.role = iam.create_role(
            RoleName="plug-" + uuid.uuid4().hex[:6],
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": self.provider},
                "Action": "sts:AssumeRoleWithSAML"}]}))["Role"]

    def assume(self):
        signed = saml.sign(self.idp, saml.response(self.idp, self.role["Arn"], self.provider))
        return self.server.client("sts").assume_role_with_saml(
            RoleArn=self.role["Arn"], PrincipalArn=self.provider, SAMLAssertion=saml.b64(signed))


class IdleMapsTests(ServerTestCase, SamlSetup):
    """/proc/PID/maps: nothing of SAML or QR at idle, nor after
    CreateSAMLProvider (its metadata parser is expat's, in the binary); the
    SAML plugin and its libraries after the first AssumeRoleWithSAML, the
    QR plugin and its libraries after the first CreateVirtualMFADevice."""

    needs_process = True
    own_server = True

    def test_saml_and_qr_libraries_mapped_only_once_used(self):
        saml_ready()
        pid = self.server.proc.pid
        plugin = os.path.basename(binary_path())
        names = mapped(pid)
        for lib in SAML_LIBS + QR_LIBS + (plugin + "-saml.so", plugin + "-qr.so"):
            self.assertFalse(has(names, lib), "%s is mapped at idle" % lib)
        self.setup_saml()
        self.assertFalse(has(mapped(pid), "libxmlsec1.so"), "CreateSAMLProvider loaded xmlsec")

        got = self.assume()
        self.assertIn("AssumedRoleUser", got)
        names = mapped(pid)
        self.assertIn(plugin + "-saml.so", names)
        for lib in SAML_LIBS:
            self.assertTrue(has(names, lib), "%s not mapped after AssumeRoleWithSAML" % lib)
        for lib in QR_LIBS:
            self.assertFalse(has(names, lib), "%s mapped by AssumeRoleWithSAML" % lib)

        dev = self.server.client("iam").create_virtual_mfa_device(
            VirtualMFADeviceName="plug-" + uuid.uuid4().hex[:6])["VirtualMFADevice"]
        self.assertTrue(dev["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n"))
        names = mapped(pid)
        self.assertIn(plugin + "-qr.so", names)
        for lib in QR_LIBS:
            self.assertTrue(has(names, lib), "%s not mapped after CreateVirtualMFADevice" % lib)


class Relocated(Server):
    """awsemu run from a copy of the binary in a directory of its own,
    without the plugins beside it."""

    def __init__(self, exe, **kw):
        super().__init__(split_output=True, **kw)
        self.exe = exe

    def command(self):
        return [self.exe] + super().command()[1:]


class MissingPluginTests(unittest.TestCase, SamlSetup):
    def setUp(self):
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")
        saml_ready()
        self.root = tempfile.mkdtemp(prefix="awsemu-plugins-")
        self.addCleanup(shutil.rmtree, self.root, True)
        os.makedirs(os.path.join(self.root, "bin"))
        self.name = os.path.basename(binary_path())
        self.exe = os.path.join(self.root, "bin", self.name)
        shutil.copy2(binary_path(), self.exe)
        self.server = Relocated(self.exe)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.setup_saml()

    def image_lib_dir(self):
        """Where the Dockerfile installs the plugins, under self.root."""
        with open(os.path.join(REPO, "Dockerfile")) as f:
            lines = f.read().replace("\\\n", " ").splitlines()
        self.assertIn("COPY --from=build /src/bin/awsemu /usr/local/bin/awsemu", lines)
        copy = [l.split() for l in lines if l.startswith("COPY --from=build ")]
        plugins = [c for c in copy if "/src/bin/awsemu-saml.so" in c]
        self.assertTrue(plugins, "the Dockerfile copies no awsemu-saml.so")
        self.assertIn("/src/bin/awsemu-qr.so", plugins[0])
        self.assertEqual("/usr/local/lib/awsemu/", plugins[0][-1])
        # /usr/local/bin/awsemu -> /usr/local/lib/awsemu/: bin/ -> lib/awsemu/ here
        return os.path.join(self.root, "lib", "awsemu")

    def test_saml_without_plugin_then_installed(self):
        with self.assertRaises(ClientError) as cm:
            self.assume()
        err = cm.exception.response
        self.assertEqual(500, err["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("InternalFailure", err["Error"]["Code"])
        self.assertIn("could not load its SAML plugin (awsemu-saml.so)", err["Error"]["Message"])
        log = self.server.output(stderr=True).decode()
        self.assertIn("AssumeRoleWithSAML unavailable: neither %s-saml.so nor" % self.exe, log)
        # still serving
        self.assertEqual(self.role["Arn"], self.server.client("iam").get_role(
            RoleName=self.role["RoleName"])["Role"]["Arn"])

        lib = self.image_lib_dir()
        os.makedirs(lib)
        shutil.copy2(binary_path() + "-saml.so", os.path.join(lib, self.name + "-saml.so"))
        got = self.assume()  # a failed load is not remembered
        self.assertEqual("alice@example.com", got["Subject"])

    def test_mfa_device_without_qr_plugin(self):
        iam = self.server.client("iam")
        name = "plug-" + uuid.uuid4().hex[:6]
        with self.assertRaises(ClientError) as cm:
            iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
        err = cm.exception.response
        self.assertEqual(500, err["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("ServiceFailure", err["Error"]["Code"])
        self.assertIn("could not load its QR plugin (awsemu-qr.so)", err["Error"]["Message"])
        self.assertIn("virtual MFA QR codes unavailable: neither",
                      self.server.output(stderr=True).decode())
        # no device left without the QR code it was never given
        self.assertEqual([], iam.list_virtual_mfa_devices()["VirtualMFADevices"])

        lib = self.image_lib_dir()
        os.makedirs(lib)
        shutil.copy2(binary_path() + "-qr.so", os.path.join(lib, self.name + "-qr.so"))
        dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        self.assertTrue(dev["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n"))

    def test_stale_plugin_refused(self):
        """A file of that name that is no plugin of this build: an error
        with dlopen's reason in the log, no crash."""
        with open(self.exe + "-saml.so", "wb") as f:
            f.write(b"not an ELF object")
        with self.assertRaises(ClientError) as cm:
            self.assume()
        self.assertEqual("InternalFailure", cm.exception.response["Error"]["Code"])
        self.assertRegex(self.server.output(stderr=True).decode(),
                         r"AssumeRoleWithSAML unavailable: .*-saml\.so: .*(invalid ELF header|"
                         r"file too short)")
