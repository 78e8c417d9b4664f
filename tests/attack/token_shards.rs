//! Attacks on the token shard secrets (moto): saves and deletes of one shard's tenants at the
//! same time, a shard document edited into something unreadable, and the shard secret deleted
//! by hand while tenants write. Token values must never show in an error's text or Debug.

use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use sbxy_harness::{Stack, StackOptions};
use sbxy_storage::{PardotTokens, SecretStore, StorageError};

fn tokens(tenant: usize, generation: usize) -> PardotTokens {
    PardotTokens {
        refresh_token: Secret::new(format!("refresh-secret-{tenant}-{generation}")),
        access_token: Some(Secret::new(format!("access-secret-{tenant}-{generation}"))),
        issued_at_ms: Some(generation as i64),
    }
}

fn tenants(prefix: &str, n: usize) -> Vec<TenantId> {
    (0..n)
        .map(|i| TenantId::parse(&format!("{prefix}-{i}")).unwrap())
        .collect()
}

/// A stack and its secret store with every tenant in one shard.
async fn one_shard() -> (Stack, SecretStore) {
    let stack = Stack::start(sbxy_harness::demo_seed().unwrap(), StackOptions::default())
        .await
        .unwrap();
    let secrets = stack.ctx.secrets.clone().with_token_shards(1);
    (stack, secrets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_shard_concurrent_saves_and_deletes_keep_exactly_the_survivors() {
    let (stack, secrets) = one_shard().await;
    let old = tenants("leaving-or-staying", 12);
    let new = tenants("arriving", 6);
    for (i, tenant) in old.iter().enumerate() {
        secrets
            .save_tenant_tokens(tenant, &tokens(i, 1))
            .await
            .unwrap();
    }

    let mut writes = tokio::task::JoinSet::new();
    for (i, tenant) in old.iter().enumerate() {
        let (secrets, tenant) = (secrets.clone(), tenant.clone());
        writes.spawn(async move {
            if i % 2 == 0 {
                secrets.delete_tenant_tokens(&tenant).await
            } else {
                secrets.save_tenant_tokens(&tenant, &tokens(i, 2)).await
            }
        });
    }
    for (i, tenant) in new.iter().enumerate() {
        let (secrets, tenant) = (secrets.clone(), tenant.clone());
        writes.spawn(async move {
            secrets
                .save_tenant_tokens(&tenant, &tokens(100 + i, 1))
                .await
        });
    }
    while let Some(done) = writes.join_next().await {
        done.unwrap()
            .expect("every concurrent save and delete lands");
    }

    for (i, tenant) in old.iter().enumerate() {
        let stored = secrets.tenant_tokens(tenant).await.unwrap();
        if i % 2 == 0 {
            assert!(stored.is_none(), "tenant {i} was deleted");
        } else {
            assert!(
                stored == Some(tokens(i, 2)),
                "tenant {i} holds its new tokens"
            );
        }
    }
    for (i, tenant) in new.iter().enumerate() {
        let stored = secrets.tenant_tokens(tenant).await.unwrap();
        assert!(stored == Some(tokens(100 + i, 1)), "new tenant {i} arrived");
    }
    stack.stop().await;
}

/// Neither the text nor the Debug of `err` quotes a token.
fn assert_quiet(err: &StorageError, secrets: &[&str]) {
    let shown = format!("{err} {err:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_shard_one_corrupt_entry_spares_its_neighbours_and_says_no_token() {
    let (stack, secrets) = one_shard().await;
    let [good, broken, newcomer] = <[TenantId; 3]>::try_from(tenants("corrupt", 3)).unwrap();
    secrets
        .save_tenant_tokens(&good, &tokens(0, 1))
        .await
        .unwrap();
    let name = secrets.tenant_tokens_name(&good);
    // Edited by hand: the broken tenant's entry is a bare token, a field has the wrong type.
    let edited = format!(
        r#"{{"tenants":{{"{good}":{{"refresh_token":"refresh-secret-0-1","access_token":
        "access-secret-0-1","issued_at_ms":1}},"{broken}":"bare-secret-token",
        "other":{{"refresh_token":7,"access_token":"typed-secret-token"}}}}}}"#
    );
    secrets.put(&name, &Secret::new(edited)).await.unwrap();
    let quoted = [
        "bare-secret-token",
        "typed-secret-token",
        "refresh-secret",
        "access-secret",
    ];

    let broken_read = secrets.tenant_tokens(&broken).await;
    let good_read = secrets.tenant_tokens(&good).await;
    let newcomer_save = secrets.save_tenant_tokens(&newcomer, &tokens(2, 1)).await;

    let err = broken_read.expect_err("the broken entry is reported");
    assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
    assert_quiet(&err, &quoted);
    assert!(
        good_read.as_ref().is_ok_and(|t| *t == Some(tokens(0, 1))),
        "the neighbour still reads its tokens: {:?}",
        good_read.map_err(|e| e.to_string())
    );
    newcomer_save.expect("a neighbour can still save");
    assert!(secrets.tenant_tokens(&newcomer).await.unwrap() == Some(tokens(2, 1)));
    let raw = secrets.get(&name).await.unwrap().unwrap();
    assert!(
        raw.expose().contains("bare-secret-token") && raw.expose().contains("typed-secret-token"),
        "a write keeps the entries it cannot read, for a human to repair"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_shard_unreadable_document_refuses_writes_and_says_no_token() {
    let (stack, secrets) = one_shard().await;
    let [one, two] = <[TenantId; 2]>::try_from(tenants("garbled", 2)).unwrap();
    secrets
        .save_tenant_tokens(&one, &tokens(0, 1))
        .await
        .unwrap();
    let name = secrets.tenant_tokens_name(&one);
    let garbled = r#"{"tenants":{"garbled-0":{"refresh_token":"refresh-secret-0-1"#;
    secrets.put(&name, &Secret::new(garbled)).await.unwrap();

    let read = secrets.tenant_tokens(&one).await.expect_err("unreadable");
    let save = secrets
        .save_tenant_tokens(&two, &tokens(1, 1))
        .await
        .expect_err("a write would drop the unreadable tokens");
    let delete = secrets
        .delete_tenant_tokens(&two)
        .await
        .expect_err("so would a delete");

    for err in [&read, &save, &delete] {
        assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
        assert_quiet(err, &["refresh-secret"]);
    }
    let raw = secrets.get(&name).await.unwrap().unwrap();
    assert_eq!(raw.expose(), garbled, "nothing overwrote the document");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_shard_deleted_by_hand_while_tenants_write() {
    let (stack, secrets) = one_shard().await;
    let writers = tenants("hand-deleted", 6);
    let name = secrets.tenant_tokens_name(&writers[0]);

    let mut writes = tokio::task::JoinSet::new();
    for (i, tenant) in writers.iter().enumerate() {
        let (secrets, tenant) = (secrets.clone(), tenant.clone());
        writes.spawn(async move {
            for generation in 1..=4 {
                secrets
                    .save_tenant_tokens(&tenant, &tokens(i, generation))
                    .await?;
            }
            Ok::<(), StorageError>(())
        });
    }
    let deleter = {
        let (secrets, name) = (secrets.clone(), name.clone());
        tokio::spawn(async move {
            for _ in 0..8 {
                secrets.delete(&name).await.expect("delete by hand");
                tokio::task::yield_now().await;
            }
        })
    };
    while let Some(done) = writes.join_next().await {
        done.unwrap()
            .expect("a write survives the shard vanishing under it");
    }
    deleter.await.unwrap();

    // After the churn, every tenant's next write lands and reads back.
    for (i, tenant) in writers.iter().enumerate() {
        secrets
            .save_tenant_tokens(tenant, &tokens(i, 9))
            .await
            .unwrap();
    }
    for (i, tenant) in writers.iter().enumerate() {
        let stored = secrets.tenant_tokens(tenant).await.unwrap();
        assert!(
            stored == Some(tokens(i, 9)),
            "tenant {i} holds its last tokens"
        );
    }
    stack.stop().await;
}
