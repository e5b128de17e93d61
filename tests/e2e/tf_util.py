"""Real Terraform against a fresh awsemu, offline.

The machine image ships `terraform` and a filesystem mirror of the
hashicorp/aws provider (`find / -name 'terraform-provider-aws*'`).  A CLI
config whose provider_installation names that mirror makes `terraform init`
work without a network.  Where either is missing, tests skip with a message
(CI on a fresh machine may lack them).

    tf = Terraform(server, workdir)          # writes provider.tf + CLI config
    tf.write("main.tf", HCL)
    tf.apply(); tf.assert_no_drift(test); tf.destroy()

Environment: TERRAFORM (binary), AWSEMU_TF_MIRROR (the mirror directory).
"""

import glob
import json
import os
import shutil
import subprocess

TF_TIMEOUT = 600
_MIRROR_GLOBS = ("/opt/tf-plugins", "/usr/share/terraform/plugins",
                 "/usr/local/share/terraform/plugins",
                 os.path.expanduser("~/.terraform.d/plugins"))


def terraform_binary():
    return os.environ.get("TERRAFORM") or shutil.which("terraform")


def provider_mirror():
    """The directory holding registry.terraform.io/hashicorp/aws/..., or None."""
    env = os.environ.get("AWSEMU_TF_MIRROR")
    cands = [env] if env else list(_MIRROR_GLOBS)
    for c in cands:
        if c and glob.glob(os.path.join(c, "registry.terraform.io", "hashicorp",
                                        "aws", "*", "*", "terraform-provider-aws*")):
            return c
    return None


def skip_reason():
    """None when Terraform can run offline here, else why not."""
    if not terraform_binary():
        return "terraform is not installed (skipped: real-Terraform tests need it)"
    if not provider_mirror():
        return ("no offline mirror of the hashicorp/aws provider found "
                "(set AWSEMU_TF_MIRROR; skipped)")
    return None


# Every endpoint awsemu serves; the provider's own checks are switched off
# because they would call real AWS.
def provider_block(url, region="us-east-1", extra=""):
    eps = "\n".join('    %s = "%s"' % (s, url) for s in ("iam", "kms", "s3", "secretsmanager", "sts"))
    return """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "%s"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
%s
  }
%s}
""" % (region, eps, extra)


class TerraformError(AssertionError):
    pass


class Terraform:
    def __init__(self, server, workdir, region="us-east-1", provider=True):
        """provider=False: the configuration brings its own provider block."""
        self.dir = workdir
        self.url = server.url
        os.makedirs(workdir, exist_ok=True)
        self.cli_config = os.path.join(workdir, "cli.tfrc")
        with open(self.cli_config, "w") as f:
            f.write("""provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
""" % provider_mirror())
        if provider:
            self.write("provider.tf", provider_block(self.url, region))
        self.initialized = False

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def env(self):
        e = dict(os.environ)
        e.update(TF_CLI_CONFIG_FILE=self.cli_config, TF_IN_AUTOMATION="1",
                 CHECKPOINT_DISABLE="1", TF_INPUT="0",
                 AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        for v in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            e.pop(v, None)
        return e

    def run(self, *args, check=True, timeout=TF_TIMEOUT):
        p = subprocess.run([terraform_binary()] + list(args) + ["-no-color"],
                           cwd=self.dir, env=self.env(), capture_output=True,
                           text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise TerraformError("terraform %s exited %d:\n%s\n%s" % (
                " ".join(args), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
        return p

    def init(self):
        if not self.initialized:
            self.run("init", "-input=false")
            self.initialized = True

    def apply(self, *args):
        self.init()
        return self.run("apply", "-auto-approve", "-input=false", *args)

    def plan_exitcode(self):
        """terraform plan -detailed-exitcode: 0 no changes, 2 drift."""
        self.init()
        p = self.run("plan", "-detailed-exitcode", "-input=false", check=False)
        return p.returncode, p.stdout + p.stderr

    def assert_no_drift(self, test):
        code, out = self.plan_exitcode()
        test.assertEqual(code, 0, "terraform plan shows drift or failed:\n" + out[-4000:])

    def destroy(self):
        self.init()
        return self.run("destroy", "-auto-approve", "-input=false")

    def outputs(self):
        p = self.run("output", "-json")
        return {k: v["value"] for k, v in json.loads(p.stdout or "{}").items()}
