-- Person page of the most-credited person (id given as -D top=ID), as ONE JSON statement.
\set id :top
select json_build_object(
  'id', p.id, 'name', p.name, 'birthDate', p.birth_date, 'biography', p.biography,
  'credits', (select coalesce(json_agg(json_build_object('billingOrder', r.billing_order, 'character', r.character,
        'film', json_build_object('id', r.fid, 'title', r.title, 'releaseDate', r.release_date))
        order by r.release_date desc nulls last, r.fid, r.id), '[]')
      from (select c.id, c.billing_order, c.character, f.id fid, f.title, f.release_date
            from credit c join film f on f.id = c.film_id where c.person_id = p.id
            order by f.release_date desc nulls last, c.film_id, c.id limit 30) r)
) from person p where p.id = :id;
