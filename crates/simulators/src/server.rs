//! Listeners and connections. Each system gets its own 127.0.0.1 listener. Connections carry a
//! kill switch so the `drop` fault can close a connection without sending any response: once
//! the switch is set, the next write fails and hyper closes the socket.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::SimError;

/// Binds 127.0.0.1:`port` (0 = a free port). Never any other address.
pub(crate) async fn bind(system: &'static str, port: u16) -> Result<TcpListener, SimError> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|source| SimError::Bind {
            system,
            port,
            source,
        })
}

/// `http://127.0.0.1:<port>` of a bound listener.
pub(crate) fn base_url(listener: &TcpListener, system: &'static str) -> Result<String, SimError> {
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        system,
        port: 0,
        source,
    })?;
    Ok(format!("http://{addr}"))
}

/// Serves `router` on `listener` until `shutdown` turns true.
pub(crate) fn spawn(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let service = router.into_make_service_with_connect_info::<KillSwitch>();
    tokio::spawn(async move {
        let stop = async move {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    break;
                }
            }
        };
        let result = axum::serve(KillableListener(listener), service)
            .with_graceful_shutdown(stop)
            .await;
        if let Err(err) = result {
            tracing::error!(cause = %err, "simulator listener stopped with an error");
        }
    })
}

/// Closes one connection without a response when triggered.
#[derive(Debug, Clone, Default)]
pub(crate) struct KillSwitch(Arc<AtomicBool>);

impl KillSwitch {
    pub(crate) fn trigger(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_triggered(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A TCP listener whose connections can be killed by their handlers.
pub(crate) struct KillableListener(TcpListener);

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let stream = KillableStream {
            inner: stream,
            switch: KillSwitch::default(),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for KillSwitch {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.io().switch.clone()
    }
}

/// A TCP stream that refuses every write once its kill switch is set.
pub(crate) struct KillableStream {
    inner: TcpStream,
    switch: KillSwitch,
}

fn killed() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "connection dropped by fault injection",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.switch.is_triggered() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.switch.is_triggered() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.switch.is_triggered() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.switch.is_triggered() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
