//! The Postgres the tests run against: `TEST_DATABASE_URL` when set, else a throwaway cluster from Debian's
//! postgresql package, started for the run and removed after it.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// A database server for one test run; a throwaway cluster stops when this is dropped.
#[derive(Debug)]
pub struct TestPostgres {
    pub url: String,
    cluster: Option<Cluster>,
}

#[derive(Debug)]
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
}

impl TestPostgres {
    pub fn start(root: &Path) -> anyhow::Result<Self> {
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            println!("Postgres for the tests: TEST_DATABASE_URL");
            return Ok(Self { url, cluster: None });
        }
        let bin = server_bin()?;
        let data = root.join("target").join(format!("pg-test-{}", std::process::id()));
        if data.exists() {
            fs::remove_dir_all(&data)?;
        }
        fs::create_dir_all(&data)?;
        // initdb refuses to run as root: run the cluster as the postgres user then.
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&data))?;
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let cluster = Cluster { bin, data, as_postgres };
        run(&mut cluster.command("initdb", &["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"]))?;
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", cluster.data.display());
        let log = cluster.data.join("server.log");
        run(&mut cluster.command("pg_ctl", &["-w", "-o", &options, "-l", &log.display().to_string(), "start", "-D"]))?;
        println!("Postgres for the tests: a throwaway cluster on port {port}");
        Ok(Self { url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), cluster: Some(cluster) })
    }
}

impl Cluster {
    /// `tool args… <data dir>`, as the postgres user when needed.
    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        };
        cmd.args(args).arg(&self.data);
        cmd
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let _ = cluster.command("pg_ctl", &["-w", "-m", "fast", "stop", "-D"]).status();
            let _ = fs::remove_dir_all(&cluster.data);
        }
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin`.
fn server_bin() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "the tests need Postgres: set TEST_DATABASE_URL to a server (trust auth, user postgres), or install \
             Debian's server for a throwaway cluster:\n    sudo apt-get install -y postgresql"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let output = cmd.output().with_context(|| format!("starting {cmd:?}"))?;
    if !output.status.success() {
        bail!("{cmd:?} failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}
